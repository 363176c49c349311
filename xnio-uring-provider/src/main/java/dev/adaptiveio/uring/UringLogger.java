package dev.adaptiveio.uring;

import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.Cause;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;

/**
 * Messages of the io_uring engine: ids 200-299.
 */
@MessageLogger(projectCode = "ADAPTIVEIO", length = 4)
interface UringLogger extends BasicLogger {

    UringLogger LOG = Logger.getMessageLogger(UringLogger.class, "dev.adaptiveio.uring");

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 200, value = "The io_uring provider is not available: %s")
    void unavailable(String summary);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 201, value = "io_uring available: tier %s, kernel %s, %s")
    void available(Object tier, String kernel, Object ringConfig);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 202, value = "Accept on %s failed")
    void acceptFailed(@Cause Throwable cause, Object server);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 203, value = "Unexpected completion %s (result %d) on %s")
    void unexpectedCompletion(String op, int result, Object connection);
}

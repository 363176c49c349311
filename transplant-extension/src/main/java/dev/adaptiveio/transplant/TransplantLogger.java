package dev.adaptiveio.transplant;

import java.lang.invoke.MethodHandles;

import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.Cause;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;

/**
 * Messages of the transplant extension: ids 400-449.
 */
@MessageLogger(projectCode = "ADAPTIVEIO", length = 4)
interface TransplantLogger extends BasicLogger {

    TransplantLogger LOG = Logger.getMessageLogger(MethodHandles.lookup(), TransplantLogger.class,
            "dev.adaptiveio.transplant");

    @LogMessage(level = Logger.Level.INFO)
    @Message(id = 400, value = "Transplant of idle HTTP/1 connections between engines is %s (manager %s)")
    void flag(String state, String manager);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 401, value = "Moved %s from %s to %s in %d us")
    void moved(Object connection, String from, String to, long micros);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 402, value = "Did not move %s: %s")
    void refused(Object connection, String reason);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 403, value = "A connection was lost while moving from %s to %s: %s")
    void lost(@Cause Throwable cause, String from, String to, String why);

    @LogMessage(level = Logger.Level.INFO)
    @Message(id = 404, value = "Connections of %s are marked for migration to %s")
    void marked(Object listener, String engine);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 406, value = "Listener %s has TRANSPLANT on, but the transplant extension cannot run without Undertow: %s")
    void noUndertow(String listener, String cause);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 405, value = "Could not register the transplant MXBean %s")
    void mbeanFailed(@Cause Throwable cause, String name);
}

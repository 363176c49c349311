package dev.adaptiveio.core.log;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.Cause;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;
import org.xnio.ClosedWorkerException;

/**
 * Messages of the shared core. Ids 1-99 belong to the core; engines use their own ranges.
 */
@MessageLogger(projectCode = "ADAPTIVEIO", length = 4)
public interface CoreLogger extends BasicLogger {

    CoreLogger LOG = Logger.getMessageLogger(CoreLogger.class, "dev.adaptiveio.core");

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 1, value = "Worker %s started %d %s I/O thread(s)")
    void workerStarted(String workerName, int ioThreads, String engine);

    @LogMessage(level = Logger.Level.ERROR)
    @Message(id = 2, value = "Unexpected failure in the %s event loop of %s")
    void loopFailure(@Cause Throwable cause, String engine, String threadName);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 3, value = "Task failed on I/O thread %s")
    void taskFailed(@Cause Throwable cause, String threadName);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 4, value = "Failed to close %s")
    void closeFailed(@Cause Throwable cause, Object resource);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 5, value = "Listener failed on %s")
    void listenerFailed(@Cause Throwable cause, Object channel);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 6, value = "Connection %s closed with %d byte(s) of output the peer did not accept within %d ms")
    void lingerExpired(Object connection, long bytes, long millis);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 7, value = "sendfile(2) is unavailable (%s): file transfers copy through a buffer")
    void sendFileUnavailable(String cause);

    @Message(id = 10, value = "The %s engine needs Linux on x86_64 (the only native libraries shipped); this is %s/%s")
    IOException unsupportedPlatform(String engine, String os, String arch);

    @Message(id = 11, value = "The %s native library could not be loaded: %s")
    IOException nativeLibraryUnavailable(String engine, String cause);

    @Message(id = 12, value = "Connection %s cannot be detached: %s")
    IOException notDetachable(Object connection, String reason);

    @Message(id = 13, value = "I/O thread %s is shut down")
    RejectedExecutionException threadShutDown(String threadName);

    @Message(id = 14, value = "Worker %s is shut down")
    ClosedWorkerException workerShutDown(String workerName);

    @Message(id = 30, value = "%s called on %s, the I/O thread that would have to wake it: it would never return")
    IllegalStateException awaitOnOwnIoThread(String method, Object connection);

    @Message(id = 31, value = "Option %s is out of range")
    IllegalArgumentException optionOutOfRange(String option);
}

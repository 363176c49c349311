package dev.adaptiveio.wildfly.logging;

import static org.jboss.logging.Logger.Level.INFO;
import static org.jboss.logging.Logger.Level.WARN;

import java.lang.invoke.MethodHandles;

import org.jboss.as.controller.OperationFailedException;
import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.Cause;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;
import dev.adaptiveio.wildfly.WorkerStartException;

/**
 * Messages of the {@code adaptive-io} subsystem. Ids are stable: never reuse or renumber one.
 */
@MessageLogger(projectCode = "ADIOWF", length = 4)
public interface AdaptiveIoLogger extends BasicLogger {

    AdaptiveIoLogger ROOT_LOGGER = Logger.getMessageLogger(MethodHandles.lookup(), AdaptiveIoLogger.class, "dev.adaptiveio.wildfly");

    // id 1: reserved (was "Activating adaptive-io subsystem").

    @LogMessage(level = INFO)
    @Message(id = 2, value = "Worker '%s' started on engine '%s' with %d I/O threads and %d-%d task threads")
    void workerStarted(String worker, String engine, int ioThreads, int coreTaskThreads, int maxTaskThreads);

    @LogMessage(level = INFO)
    @Message(id = 3, value = "Worker '%s' stopped")
    void workerStopped(String worker);

    @LogMessage(level = WARN)
    @Message(id = 4, value = "Worker '%s' did not terminate within %d ms of shutdown")
    void workerSlowShutdown(String worker, long millis);

    @Message(id = 5, value = "Worker '%s' asked for engine '%s' but no XNIO provider named '%s' could be loaded from module %s "
            + "(is the dev.adaptiveio.xnio module installed and does its provider support this machine?)")
    WorkerStartException engineNotFound(String worker, String engine, String provider, String module, @Cause Throwable cause);

    @Message(id = 6, value = "Worker '%s' asked for engine '%s' but XNIO returned provider '%s'; refusing to run on a different engine")
    WorkerStartException wrongEngine(String worker, String engine, String actual);

    @Message(id = 7, value = "Worker '%s' on engine '%s' could not be created: %s")
    WorkerStartException workerCreationFailed(String worker, String engine, String reason, @Cause Throwable cause);

    @Message(id = 8, value = "task-core-threads (%d) must not exceed task-max-threads (%d)")
    OperationFailedException coreThreadsExceedMax(int core, int max);

    /** Each value reads "4" when the user set it, or "4, the default" / "4, system property adaptiveio.x" when not. */
    @Message(id = 9, value = "down-threshold (%s) must be lower than up-threshold (%s): the controller needs a gap to avoid flapping")
    OperationFailedException thresholdsInverted(String down, String up);

    @Message(id = 10, value = "high-watermark (%s) must not be lower than up-threshold (%s)")
    OperationFailedException highWatermarkBelowUpThreshold(String highWatermark, String up);

    @Message(id = 11, value = "transplant=true needs engine=adaptive (this worker has engine=%s): only the adaptive engine moves connections")
    OperationFailedException transplantNeedsAdaptive(String engine);

    @Message(id = 12, value = "Operation '%s' needs a worker with engine=adaptive, but worker '%s' runs engine '%s'")
    OperationFailedException notAdaptive(String operation, String worker, String engine);

    @Message(id = 13, value = "Worker '%s' is not running")
    OperationFailedException workerNotRunning(String worker);

    @Message(id = 14, value = "Operation '%s' found no adaptive listener on worker '%s' (no MXBean matches %s): point a listener at the worker first")
    OperationFailedException noAdaptiveListener(String operation, String worker, String pattern);

    @Message(id = 15, value = "Operation '%s' on worker '%s' failed: %s")
    OperationFailedException adaptiveOperationFailed(String operation, String worker, String reason);

    @Message(id = 16, value = "%s must be a number from 0 to 1, was %s")
    OperationFailedException rateOutOfRange(String attribute, String value);

    @Message(id = 18, value = "Worker '%s' asked for engine '%s' but its XNIO provider failed to load: %s")
    WorkerStartException engineFailedToLoad(String worker, String engine, String reason, @Cause Throwable cause);

    @LogMessage(level = WARN)
    @Message(id = 17, value = "The stack-size of %d bytes for worker '%s' is low and may cause StackOverflowError; at least 150000 is recommended")
    void lowStackSize(long stackSize, String worker);
}

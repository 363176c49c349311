package dev.adaptiveio.adaptive.control;

import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.Cause;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;

/**
 * Messages of the adaptive provider's decision logic and of the listener that carries it out: ids
 * 300-329 (the adaptive worker uses 330-399). Public so that {@code AdaptiveListener} logs with ids too.
 */
@MessageLogger(projectCode = "ADAPTIVEIO", length = 4)
public interface ControlLogger extends BasicLogger {

    ControlLogger LOG = Logger.getMessageLogger(ControlLogger.class, "dev.adaptiveio.adaptive");

    @LogMessage(level = Logger.Level.INFO)
    @Message(id = 300, value = "Listener %s starts on %s: %s")
    void startDecision(String listener, String engine, String reason);

    @LogMessage(level = Logger.Level.INFO)
    @Message(id = 301, value = "Listener %s: new connections now go to %s (%s, %.1f connections per I/O thread)")
    void switched(String listener, String engine, SwitchReason reason, double load);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 302, value = "Listener %s: io_uring error rate %.3f is above %.3f; new connections go back to epoll")
    void errorRevert(String listener, double rate, double limit);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 303, value = "Listener %s: %d switches within %d s; automatic switching is locked for %d s")
    void oscillationLocked(String listener, int switches, long windowSeconds, long lockSeconds);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 304, value = "Listener %s: could not switch new connections to %s; staying on %s")
    void switchFailed(String listener, String target, String current, @Cause Throwable cause);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 305, value = "Listener %s: switch to %s (%s) refused: %s")
    void rejected(String listener, String target, SwitchReason reason, RejectReason rejection);

    @LogMessage(level = Logger.Level.INFO)
    @Message(id = 306, value = "Listener %s: new connections now go to %s (forced)")
    void forced(String listener, String engine);

    @LogMessage(level = Logger.Level.DEBUG)
    @Message(id = 307, value = "Listener %s: the controller expected %s to accept but the sample says %s; following the sample")
    void engineResynced(String listener, String expected, String actual);

    // WARN, not DEBUG: a tick that throws leaves the listener on its engine with no decisions until the
    // cause goes away, and an operator must be able to see that without turning on debug logging.
    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 308, value = "Listener %s: the adaptive controller's tick failed; the listener stays on %s until a later tick succeeds")
    void tickFailed(String listener, String engine, @Cause Throwable cause);

    @LogMessage(level = Logger.Level.WARN)
    @Message(id = 309, value = "Listener %s: a switch listener (%s) failed after new connections moved from %s to %s")
    void switchListenerFailed(String listener, String switchListener, String from, String to, @Cause Throwable cause);
}

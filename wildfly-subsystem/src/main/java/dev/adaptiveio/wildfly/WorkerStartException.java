package dev.adaptiveio.wildfly;

/**
 * A worker could not start. WildFly wraps it in a {@code StartException} and prints {@code toString()};
 * returning the bare message keeps the management failure description readable.
 */
public class WorkerStartException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public WorkerStartException(String message) {
        super(message);
    }

    public WorkerStartException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String toString() {
        return this.getMessage();
    }
}

package dev.adaptiveio.wildfly.arquillian.ejb;

/**
 * The remote business interface RemotingIT calls over JBoss Remoting. Every {@link #call} and {@link #echo} is
 * counted on the server per {@code tag}, so a client can prove that each of its calls ran exactly once: none lost,
 * none repeated by a retry.
 */
public interface RemoteEcho {

    /** Counts the call under {@code tag}; returns {@code tag + ":" + sequence}, so a reply shows which request it answers. */
    String call(String tag, long sequence);

    /** Counts the call under {@code tag}; returns {@code payload} as received. */
    byte[] echo(String tag, byte[] payload);

    /** Calls counted under {@code tag} since the deployment started. */
    long count(String tag);
}

package dev.adaptiveio.wildfly.arquillian.ejb;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.ejb.Remote;
import jakarta.ejb.Stateless;

/** A stateless session bean with a remote view; its counts live as long as the deployment (a reload resets them). */
@Stateless
@Remote(RemoteEcho.class)
public class EchoBean implements RemoteEcho {

    // Static: every pooled instance counts into the same map.
    private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

    @Override
    public String call(String tag, long sequence) {
        counter(tag).incrementAndGet();
        return tag + ":" + sequence;
    }

    @Override
    public byte[] echo(String tag, byte[] payload) {
        counter(tag).incrementAndGet();
        return payload;
    }

    @Override
    public long count(String tag) {
        AtomicLong calls = CALLS.get(tag);
        return calls == null ? 0 : calls.get();
    }

    private static AtomicLong counter(String tag) {
        return CALLS.computeIfAbsent(tag, t -> new AtomicLong());
    }
}

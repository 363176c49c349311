package dev.adaptiveio.wildfly;

import org.xnio.Xnio;
import org.xnio.XnioProvider;

/** A provider that exists but cannot start on this machine, as io_uring on an old kernel or under seccomp. */
public class BrokenUringProvider implements XnioProvider {
    @Override
    public Xnio getInstance() {
        throw new IllegalStateException("io_uring_setup failed: Operation not permitted (kernel.io_uring_disabled=2)");
    }

    @Override
    public String getName() {
        return "io_uring";
    }
}

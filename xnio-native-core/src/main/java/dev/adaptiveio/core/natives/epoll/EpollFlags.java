package dev.adaptiveio.core.natives.epoll;

/** The epoll event bits, as the Linux ABI defines them. */
public final class EpollFlags {
    public static final int IN = 0x001;
    public static final int OUT = 0x004;
    public static final int ERR = 0x008;
    public static final int HUP = 0x010;
    public static final int RDHUP = 0x2000;
    public static final int EXCLUSIVE = 1 << 28;
    public static final int ET = 1 << 31;

    private EpollFlags() {
    }
}

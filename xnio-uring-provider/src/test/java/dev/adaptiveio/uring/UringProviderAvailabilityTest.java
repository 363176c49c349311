package dev.adaptiveio.uring;

import dev.adaptiveio.core.natives.uring.IoUringSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.Xnio;
import org.xnio.XnioProvider;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Registration and the refusal to start when io_uring is ruled out. */
class UringProviderAvailabilityTest {

    @AfterEach
    void clear() {
        System.clearProperty("adaptiveio.io_uring");
    }

    @Test
    void providerIsRegisteredUnderItsName() {
        boolean found = false;
        for (XnioProvider p : ServiceLoader.load(XnioProvider.class, getClass().getClassLoader())) {
            found |= p instanceof UringXnioProvider && "io_uring".equals(p.getName());
        }
        assertTrue(found, "io_uring is listed in META-INF/services/org.xnio.XnioProvider");
    }

    @Test
    void getInstanceWorksWhereIoUringIsViable() {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        Xnio xnio = new UringXnioProvider().getInstance();
        assertEquals("io_uring", xnio.getName());
        assertSame(xnio, Xnio.getInstance("io_uring", getClass().getClassLoader()));
    }

    @Test
    void disabledOnPurposeThrowsWithCauseAndFix() {
        System.setProperty("adaptiveio.io_uring", "disabled");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new UringXnioProvider().getInstance());
        assertTrue(e.getMessage().contains("DISABLED_BY_PROPERTY"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix: remove -Dadaptiveio.io_uring=disabled"), e.getMessage());
        // XNIO's lookup by name sees the refusal and never hands out an io_uring instance.
        Throwable lookup = assertThrows(Throwable.class, () -> Xnio.getInstance("io_uring", getClass().getClassLoader()));
        assertNotNull(lookup.getMessage());
    }
}

package dev.adaptiveio.transplant;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;

/**
 * A manager's MXBean ({@code dev.adaptiveio:type=Transplant,name=<name>}) and the global manager's
 * life cycle. Nothing registers itself: {@link #register} does it for a manager of one's own,
 * {@link #global()} for the global one when it is first asked for, and closing the registration
 * (or {@link #closeGlobal()}) takes the MXBean down again.
 */
public final class TransplantManagement implements AutoCloseable {

    /** The name of the global manager (and of its MXBean). */
    public static final String GLOBAL_NAME = "default";

    private static Transplant global;
    private static TransplantManagement globalRegistration;

    private final ObjectName objectName;

    private TransplantManagement(ObjectName objectName) {
        this.objectName = objectName;
    }

    /**
     * The manager used by {@link TransplantHandler}'s public constructor (WildFly), the adaptive
     * provider's listeners and the static helpers of {@link Transplant}: created on first use,
     * enabled as the environment says, its MXBean registered then.
     */
    public static synchronized Transplant global() {
        if (global == null) {
            global = new Transplant(GLOBAL_NAME, TransplantOptions.enabledByEnvironment());
            globalRegistration = register(global);
        }
        return global;
    }

    /**
     * Unregisters the global manager's MXBean and forgets it (its marks with it); the next
     * {@link #global()} starts a new one (tests, an application's redeploy). Connections keep being
     * served where they are; hooks and adaptive listeners that took the old manager keep it.
     */
    public static synchronized void closeGlobal() {
        if (global != null) {
            global.clearMarks();
            globalRegistration.close();
            global = null;
            globalRegistration = null;
        }
    }

    /**
     * Registers {@code transplant}'s MXBean as {@code dev.adaptiveio:type=Transplant,name=<name>}.
     * A failure (the name is taken, no platform MBean server) is logged and leaves the manager
     * working without an MXBean.
     *
     * @return the registration; closing it unregisters the MXBean
     */
    public static TransplantManagement register(Transplant transplant) {
        try {
            ObjectName on = objectName(transplant.name());
            ManagementFactory.getPlatformMBeanServer().registerMBean(new Bean(transplant), on);
            return new TransplantManagement(on);
        } catch (Exception | LinkageError e) {
            TransplantLogger.LOG.mbeanFailed(e, transplant.name());
        }
        return new TransplantManagement(null);
    }

    static ObjectName objectName(String name) throws MalformedObjectNameException {
        return new ObjectName("dev.adaptiveio:type=Transplant,name=" + ObjectName.quote(name));
    }

    /** Whether an MXBean was registered (and is not yet closed). */
    public boolean isRegistered() {
        return objectName != null && ManagementFactory.getPlatformMBeanServer().isRegistered(objectName);
    }

    @Override
    public void close() {
        if (objectName != null) {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            try {
                server.unregisterMBean(objectName);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    /**
     * The I/O threads named {@code names} (comma-separated; a thread's full name or its last
     * word) among the threads of the workers the manager knows: those serving its connections
     * and its extra target workers.
     */
    static List<NativeIoThread> threadsNamed(Transplant transplant, String names) {
        Set<NativeXnioWorker> workers = new LinkedHashSet<>(transplant.targetWorkers());
        for (Thread t : transplant.threadsServingTracked()) {
            if (t instanceof NativeIoThread) {
                workers.add(NativeXnioWorker.of((NativeIoThread) t));
            }
        }
        List<NativeIoThread> found = new ArrayList<>();
        for (String wanted : names.split(",")) {
            String name = wanted.trim();
            for (NativeXnioWorker worker : workers) {
                for (EngineId engine : EngineId.values()) {
                    NativeIoThread[] threads = worker.ioThreads(engine);
                    for (NativeIoThread thread : threads == null ? new NativeIoThread[0] : threads) {
                        if (thread.isAlive() && !found.contains(thread)
                                && (thread.getName().equals(name) || thread.getName().endsWith(" " + name))) {
                            found.add(thread);
                        }
                    }
                }
            }
        }
        return found;
    }

    private static final class Bean implements TransplantMXBean {
        private final Transplant transplant;

        Bean(Transplant transplant) {
            this.transplant = transplant;
        }

        @Override
        public boolean isEnabled() {
            return transplant.isEnabled();
        }

        @Override
        public void setEnabled(boolean on) {
            transplant.setEnabled(on);
        }

        @Override
        public int getTrackedConnections() {
            return transplant.trackedConnections();
        }

        @Override
        public long getMovedCount() {
            return transplant.metrics().movedTotal();
        }

        @Override
        public Map<String, Long> getMovedByDirection() {
            return transplant.metrics().movedByDirection();
        }

        @Override
        public long getRefusedCount() {
            return transplant.metrics().refusedTotal();
        }

        @Override
        public Map<String, Long> getRefusedByReason() {
            return transplant.metrics().refusedByReason();
        }

        @Override
        public long getLostCount() {
            return transplant.metrics().lostTotal();
        }

        @Override
        public Map<String, Long> getLostByCause() {
            return transplant.metrics().lostByCause();
        }

        @Override
        public long getMoveLatencyMinMicros() {
            return transplant.metrics().latencyMinMicros();
        }

        @Override
        public long getMoveLatencyAvgMicros() {
            return transplant.metrics().latencyAvgMicros();
        }

        @Override
        public long getMoveLatencyMaxMicros() {
            return transplant.metrics().latencyMaxMicros();
        }

        @Override
        public Map<String, Long> getMoveLatencyHistogram() {
            return transplant.metrics().latencyHistogram();
        }

        @Override
        public Map<String, String> getMarks() {
            return transplant.marks();
        }

        @Override
        public void markAllForMigration(String engine) {
            transplant.markForMigration(null, engine);
        }

        @Override
        public String markAllForThreads(String threadNames) {
            List<NativeIoThread> found = threadsNamed(transplant, threadNames);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("No adaptive-io I/O thread named " + threadNames
                        + " serves this manager's connections or belongs to its target workers");
            }
            transplant.markForMigration(null, Destination.threads(found));
            return found.toString();
        }

        @Override
        public void clearMarks() {
            transplant.clearMarks();
        }

        @Override
        public void sweep() {
            transplant.sweep();
        }
    }
}

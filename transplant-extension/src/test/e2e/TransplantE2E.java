import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;

/**
 * The client side of wildfly-filter.sh: keep-alive connections to a WildFly whose listener runs
 * on an adaptive-io worker with the transplant custom filter, and the transplant MXBean of the
 * server JVM (through the JDK's local management agent) to move them between the worker's two
 * I/O threads. Every connection must keep answering, every move must be counted, none lost.
 *
 *   java TransplantE2E.java SERVER_PID HTTP_PORT WORKER_NAME [PATH]
 *
 * PATH (default "/", the welcome page, answered on the I/O thread) may be a servlet that reports
 * the serving I/O thread in X-IO-Thread: then every connection must be served by the marked thread.
 */
public class TransplantE2E {

    public static void main(String[] args) throws Exception {
        String pid = args[0];
        int port = Integer.parseInt(args[1]);
        String worker = args[2];
        String path = args.length > 3 ? args[3] : "/";
        VirtualMachine vm = VirtualMachine.attach(pid);
        String address = vm.startLocalManagementAgent();
        vm.detach();
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection mbs = jmx.getMBeanServerConnection();
            ObjectName bean = new ObjectName("dev.adaptiveio:type=Transplant,name=\"default\"");
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Conn c = new Conn(port, path);
                conns.add(c);
                c.get();
                c.get();
            }
            // The filter (and the MXBean) come to life with the first request.
            long movedBefore = (Long) mbs.getAttribute(bean, "MovedCount");
            System.out.println("MXBean " + bean + ": Enabled=" + mbs.getAttribute(bean, "Enabled")
                    + " TrackedConnections=" + mbs.getAttribute(bean, "TrackedConnections"));
            check((Boolean) mbs.getAttribute(bean, "Enabled"), "the filter's parameter enabled=true turned it on");
            check((Integer) mbs.getAttribute(bean, "TrackedConnections") >= 6, "the filter sees the HTTP/1 connections");

            for (String thread : new String[] {"epoll I/O-1", "epoll I/O-2", "epoll I/O-1"}) {
                String found = (String) mbs.invoke(bean, "markAllForThreads", new Object[] {worker + " " + thread},
                        new String[] {String.class.getName()});
                long before = (Long) mbs.getAttribute(bean, "MovedCount");
                // Idle connections move by sweep; wait until the count settles.
                long settled = before;
                for (int i = 0; i < 50; i++) {
                    Thread.sleep(100);
                    long now = (Long) mbs.getAttribute(bean, "MovedCount");
                    if (now == settled && i > 10) {
                        break;
                    }
                    settled = now;
                }
                System.out.println("marked for " + found + ": MovedCount " + settled
                        + ", by direction " + map(mbs.getAttribute(bean, "MovedByDirection")));
                for (Conn c : conns) {
                    String served = c.get();
                    check(served == null || served.endsWith(thread), "served by " + thread + " after the move, not " + served);
                }
                if (conns.get(0).lastThread != null) {
                    System.out.println("  every connection now served by " + worker + " " + thread);
                }
            }
            long moved = (Long) mbs.getAttribute(bean, "MovedCount");
            long lost = (Long) mbs.getAttribute(bean, "LostCount");
            System.out.println("MovedCount=" + moved + " LostCount=" + lost + " RefusedByReason="
                    + map(mbs.getAttribute(bean, "RefusedByReason")) + " latency max us="
                    + mbs.getAttribute(bean, "MoveLatencyMaxMicros"));
            // The last two marks move every connection (6 each); the first moves those on I/O-2.
            check(moved - movedBefore >= 12, "every connection moved by the last two marks (moved " + (moved - movedBefore) + ")");
            check(lost == 0, "no connection lost");
            mbs.invoke(bean, "clearMarks", new Object[0], new String[0]);
            for (Conn c : conns) {
                c.socket.close();
            }
        }
        System.out.println("PASS: transplant custom filter on WildFly (" + path + ")");
    }

    /** An MXBean Map attribute (TabularData of key/value rows) as {key=value, ...}. */
    static String map(Object tabular) {
        java.util.Map<Object, Object> m = new java.util.TreeMap<>();
        for (Object row : ((javax.management.openmbean.TabularData) tabular).values()) {
            javax.management.openmbean.CompositeData cd = (javax.management.openmbean.CompositeData) row;
            m.put(cd.get("key"), cd.get("value"));
        }
        return m.toString();
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("FAIL: " + what);
        }
    }

    static final class Conn {
        final Socket socket;
        final InputStream in;

        final String path;
        String lastThread;

        Conn(int port, String path) throws IOException {
            this.path = path;
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
        }

        /** One request; returns the X-IO-Thread header, if any. */
        String get() throws IOException {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            lastThread = null;
            String status = line();
            check(status != null && status.contains(" 200 "), "200 from the welcome page, got " + status);
            int length = -1;
            boolean chunked = false;
            String l;
            while ((l = line()) != null && !l.isEmpty()) {
                String h = l.toLowerCase(Locale.ROOT);
                if (h.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                    chunked = true;
                } else if (h.startsWith("x-io-thread:")) {
                    lastThread = l.substring(12).trim();
                }
            }
            if (chunked) {
                int size;
                while ((size = Integer.parseInt(line().trim(), 16)) > 0) {
                    in.readNBytes(size);
                    line();
                }
                line();
            } else {
                in.readNBytes(Math.max(0, length));
            }
            return lastThread;
        }

        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    b.write(c);
                }
            }
            return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
        }
    }
}

package dev.adaptiveio.wildfly.arquillian.app;

import java.io.IOException;

import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.handlers.ServletRequestContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletResponse;
import org.xnio.XnioIoThread;

/**
 * Names, in response headers, the I/O thread that owns the request's connection: the proof of which engine
 * served it ({@code EpollIoThread} is the epoll engine, {@code UringIoThread} io_uring, XNIO's
 * {@code WorkerThread} stock NIO).
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class EngineHeaderFilter implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServerExchange exchange = ServletRequestContext.requireCurrent().getExchange();
        XnioIoThread ioThread = exchange.getIoThread();
        HttpServletResponse http = (HttpServletResponse) response;
        http.setHeader("X-IO-Engine", engineOf(ioThread));
        http.setHeader("X-IO-Thread", ioThread.getName());
        http.setHeader("X-IO-Thread-Class", ioThread.getClass().getName());
        http.setHeader("X-IO-Worker", ioThread.getWorker().getName());
        http.setHeader("X-Protocol", request.getProtocol());
        http.setHeader("X-Secure", String.valueOf(request.isSecure()));
        chain.doFilter(request, response);
    }

    static String engineOf(XnioIoThread thread) {
        switch (thread.getClass().getSimpleName()) {
            case "EpollIoThread":
                return "epoll";
            case "UringIoThread":
                return "io_uring";
            case "WorkerThread":
                return "nio";
            default:
                return "unknown:" + thread.getClass().getName();
        }
    }
}

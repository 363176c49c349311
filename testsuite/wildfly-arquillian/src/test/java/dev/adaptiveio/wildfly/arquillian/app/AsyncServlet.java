package dev.adaptiveio.wildfly.arquillian.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /async}: answers from another thread after {@code startAsync()}. */
@WebServlet(urlPatterns = "/async", asyncSupported = true)
public class AsyncServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        String requestThread = Thread.currentThread().getName();
        AsyncContext async = req.startAsync();
        async.start(() -> {
            byte[] body = ("async " + requestThread + " -> " + Thread.currentThread().getName()).getBytes(StandardCharsets.UTF_8);
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            response.setContentType("text/plain");
            response.setContentLength(body.length);
            try {
                response.getOutputStream().write(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                async.complete();
            }
        });
    }
}

package dev.adaptiveio.wildfly.arquillian.app;

import java.io.IOException;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code POST /echo}: reads the whole body with blocking I/O on a task thread and sends it back. */
@WebServlet("/echo")
public class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = req.getInputStream().readAllBytes();
        resp.setContentType("application/octet-stream");
        resp.setHeader("X-Handled-On", Thread.currentThread().getName());
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}

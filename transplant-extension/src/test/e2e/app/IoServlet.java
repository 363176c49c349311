package e2e;

import java.io.IOException;

import io.undertow.servlet.handlers.ServletRequestContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Answers with the I/O thread that serves the connection (the servlet itself runs on a worker thread). */
@WebServlet("/io")
public class IoServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("X-IO-Thread", ServletRequestContext.requireCurrent().getExchange().getIoThread().getName());
        resp.setContentType("text/plain");
        resp.getWriter().write(Thread.currentThread().getName());
    }
}

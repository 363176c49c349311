package dev.adaptiveio.core.natives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sendfile(2) through the native layer: which channels it takes, bytes, position, non-blocking. */
class NativeSocketSendFileTest {

    @TempDir
    Path dir;

    @Test
    void takesPlainFilesOnly() throws Exception {
        Path plain = Files.write(dir.resolve("plain"), new byte[10]);
        try (FileChannel file = FileChannel.open(plain)) {
            assertTrue(NativeSocket.canSendFile(file), "a plain file's channel");
        }
        Path zip = dir.resolve("z.zip");
        try (FileSystem zipfs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), Map.of("create", "true"))) {
            Path inside = Files.write(zipfs.getPath("entry"), new byte[10]);
            try (FileChannel file = FileChannel.open(inside)) {
                assertFalse(NativeSocket.canSendFile(file), "a zip file system's channel has no fd");
            }
        }
    }

    @Test
    void sendsTheRangeWithoutMovingTheFilePositionAndStopsWhenTheSocketIsFull() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(content);
        Path path = Files.write(dir.resolve("content"), content);
        try (ServerSocketChannel server = ServerSocketChannel.open();
             FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            NativeSocket socket = NativeSocket.openStream();
            try {
                socket.connect(server.getLocalAddress());
                try (SocketChannel peer = server.accept()) {
                    for (int i = 0; i < 1000 && !socket.finishConnect(); i++) {
                        Thread.sleep(1);
                    }
                    assertEquals(1000, socket.sendFile(file, 5, 1000));
                    assertEquals(0, file.position(), "the file's own position");
                    ByteBuffer got = ByteBuffer.allocate(1000);
                    while (got.hasRemaining()) {
                        peer.read(got);
                    }
                    byte[] expected = new byte[1000];
                    System.arraycopy(content, 5, expected, 0, 1000);
                    assertArrayEquals(expected, got.array());

                    // Nobody reads: the socket fills and sendfile reports 0 rather than blocking.
                    socket.setSendBufferSize(8 * 1024);
                    long position = 0;
                    long n = -1;
                    for (int i = 0; i < 10_000 && n != 0; i++) {
                        n = socket.sendFile(file, position % content.length, content.length - position % content.length);
                        position += n;
                    }
                    assertEquals(0, n, "sendfile on a full non-blocking socket");
                    assertTrue(position > 0, "nothing sent before the socket filled");
                }
            } finally {
                socket.close();
            }
        }
    }
}

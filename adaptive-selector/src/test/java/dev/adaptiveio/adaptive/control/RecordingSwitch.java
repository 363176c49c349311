package dev.adaptiveio.adaptive.control;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Records the switches the controller carries out; can be told to fail for io_uring. */
final class RecordingSwitch implements EngineSwitch {

    final List<Engine> calls = new ArrayList<>();
    IOException ioUringFailure;

    @Override
    public void acceptOn(Engine target) throws IOException {
        if (target == Engine.IO_URING && ioUringFailure != null) {
            throw ioUringFailure;
        }
        calls.add(target);
    }
}

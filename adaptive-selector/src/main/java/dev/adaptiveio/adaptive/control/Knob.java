package dev.adaptiveio.adaptive.control;

import java.util.Locale;
import java.util.function.Function;

import org.xnio.Option;

/**
 * One setting's definition: its option, default, optional environment variable and the parser that
 * turns any source's text into a valid value (throwing {@link IllegalArgumentException} with the
 * "expected ..." part of the message when it cannot).
 */
final class Knob<T> {

    final Option<?> option;
    final T defaultValue;
    final String environmentVariable;
    private final Function<String, T> parser;

    private Knob(Option<?> option, T defaultValue, String environmentVariable, Function<String, T> parser) {
        this.option = option;
        this.defaultValue = defaultValue;
        this.environmentVariable = environmentVariable;
        this.parser = parser;
    }

    String name() {
        return option.getName();
    }

    /** @throws IllegalArgumentException with "expected ..." when the text is not a valid value */
    T parse(String text) {
        return parser.apply(text.trim());
    }

    Knob<T> withEnvironmentVariable(String variable) {
        return new Knob<>(option, defaultValue, variable, parser);
    }

    static <T> Knob<T> of(Option<?> option, T defaultValue, Function<String, T> parser) {
        return new Knob<>(option, defaultValue, null, parser);
    }

    static Knob<Integer> intAtLeast(Option<Integer> option, int defaultValue, int min) {
        return of(option, defaultValue, text -> {
            long value = parseLong(text, min);
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("expected an integer from " + min + " to " + Integer.MAX_VALUE);
            }
            return (int) value;
        });
    }

    static Knob<Long> longAtLeast(Option<Long> option, long defaultValue, long min) {
        return of(option, defaultValue, text -> parseLong(text, min));
    }

    static Knob<Double> fraction(Option<Double> option, double defaultValue) {
        return of(option, defaultValue, text -> {
            double value;
            try {
                value = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                value = Double.NaN;
            }
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException("expected a number from 0 to 1, e.g. 0.05");
            }
            return value;
        });
    }

    static Knob<Boolean> bool(Option<Boolean> option, boolean defaultValue) {
        return of(option, defaultValue, text -> {
            // Boolean.parseBoolean turns every typo into false; an operator's "yes" must not silently mean no.
            switch (text.toLowerCase(Locale.ROOT)) {
                case "true":
                    return Boolean.TRUE;
                case "false":
                    return Boolean.FALSE;
                default:
                    throw new IllegalArgumentException("expected true or false");
            }
        });
    }

    static <E extends Enum<E>> Knob<E> choice(Option<E> option, E defaultValue, Class<E> type) {
        return of(option, defaultValue, text -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(text)) {
                    return constant;
                }
            }
            StringBuilder allowed = new StringBuilder("expected one of");
            for (E constant : type.getEnumConstants()) {
                allowed.append(' ').append(constant.name());
            }
            throw new IllegalArgumentException(allowed.toString());
        });
    }

    private static long parseLong(String text, long min) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            value = Long.MIN_VALUE;
        }
        if (value < min) {
            throw new IllegalArgumentException("expected an integer >= " + min);
        }
        return value;
    }
}

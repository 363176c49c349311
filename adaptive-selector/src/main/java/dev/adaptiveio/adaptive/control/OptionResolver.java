package dev.adaptiveio.adaptive.control;

import java.util.List;

import org.xnio.OptionMap;

/**
 * Applies the precedence of settings: XNIO options (the maps in the order given, e.g. listener before
 * worker), then the system property, then the environment variable (where the knob has one), then the
 * default. Blank texts count as unset. Every source is read as text and parsed by the knob, so a typed
 * option value gets the same range checks as a property.
 */
final class OptionResolver {

    private final ConfigSource source;
    private final List<OptionMap> maps;

    OptionResolver(ConfigSource source, List<OptionMap> maps) {
        this.source = source;
        this.maps = maps;
    }

    /** @throws IllegalArgumentException naming the option, the value, its source and what is allowed */
    <T> Setting<T> resolve(Knob<T> knob) {
        for (OptionMap map : maps) {
            Object value = map.get(knob.option);
            if (value != null && !value.toString().isBlank()) {
                return parse(knob, value.toString(), Setting.Origin.XNIO_OPTION, "AdaptiveOptions." + knob.name());
            }
        }
        String property = AdaptiveOptions.propertyName(knob.option);
        String text = source.property(property);
        if (text != null && !text.isBlank()) {
            return parse(knob, text, Setting.Origin.SYSTEM_PROPERTY, property);
        }
        if (knob.environmentVariable != null) {
            text = source.environment(knob.environmentVariable);
            if (text != null && !text.isBlank()) {
                return parse(knob, text, Setting.Origin.ENVIRONMENT, knob.environmentVariable);
            }
        }
        return new Setting<>(knob.defaultValue, Setting.Origin.DEFAULT, "default");
    }

    private static <T> Setting<T> parse(Knob<T> knob, String text, Setting.Origin origin, String key) {
        try {
            return new Setting<>(knob.parse(text), origin, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value '" + text + "' for adaptive option " + knob.name()
                    + " (set by " + describe(origin) + " " + key + "): " + e.getMessage(), e);
        }
    }

    private static String describe(Setting.Origin origin) {
        switch (origin) {
            case XNIO_OPTION:
                return "XNIO option";
            case SYSTEM_PROPERTY:
                return "system property";
            case ENVIRONMENT:
                return "environment variable";
            default:
                return "default";
        }
    }
}

package dev.adaptiveio.adaptive.control;

import java.util.Map;

/**
 * Where settings come from besides XNIO options: system properties and environment variables.
 * Injectable so that tests never touch the real process environment.
 */
public interface ConfigSource {

    /** The system property's value, or {@code null}. */
    String property(String name);

    /** The environment variable's value, or {@code null}. */
    String environment(String name);

    /** The running JVM's system properties and process environment, read on every call. */
    static ConfigSource system() {
        return new ConfigSource() {
            @Override
            public String property(String name) {
                return System.getProperty(name);
            }

            @Override
            public String environment(String name) {
                return System.getenv(name);
            }
        };
    }

    /** Fixed maps, for tests and embedding. */
    static ConfigSource of(Map<String, String> properties, Map<String, String> environment) {
        Map<String, String> props = Map.copyOf(properties);
        Map<String, String> env = Map.copyOf(environment);
        return new ConfigSource() {
            @Override
            public String property(String name) {
                return props.get(name);
            }

            @Override
            public String environment(String name) {
                return env.get(name);
            }
        };
    }
}

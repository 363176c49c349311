package dev.adaptiveio.adaptive.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xnio.Option;
import org.xnio.OptionMap;

class AdaptiveSettingsTest {

    private static final ConfigSource NOTHING = ConfigSource.of(Map.of(), Map.of());

    private static ConfigSource props(Map<String, String> properties) {
        return ConfigSource.of(properties, Map.of());
    }

    @Test
    void defaultsWhenNothingIsSet() {
        AdaptiveSettings settings = AdaptiveSettings.resolve(NOTHING);
        assertEquals(StartMode.AUTO, settings.start().value());
        assertEquals(Setting.Origin.DEFAULT, settings.start().origin());
        assertEquals(WorkloadHint.AUTO, settings.workloadHint());
        assertFalse(settings.h2c());
        assertFalse(settings.transplant());
        assertEquals(ControllerConfig.defaults(), settings.controller());
        ControllerConfig c = settings.controller();
        assertEquals(8, c.upThreshold());
        assertEquals(2, c.sustainedTicks());
        assertEquals(32, c.highWatermark());
        assertEquals(4, c.downThreshold());
        assertEquals(Duration.ofSeconds(30), c.cooldown());
        assertEquals(8192, c.largePayloadBytes());
        assertEquals(0.05, c.errorRevertRate());
        assertEquals(3, c.oscillationSwitches());
        assertEquals(Duration.ofSeconds(300), c.oscillationWindow());
        assertEquals(Duration.ofSeconds(300), c.oscillationLock());
        assertEquals(Duration.ofMillis(1000), c.tick());
        assertTrue(settings.configured().isEmpty());
    }

    @Test
    void propertyNamesAreTheOptionNamesInLowerCase() {
        assertEquals("adaptiveio.start", AdaptiveOptions.propertyName(AdaptiveOptions.START));
        assertEquals("adaptiveio.transplant", AdaptiveOptions.propertyName(AdaptiveOptions.TRANSPLANT));
        assertEquals("adaptiveio.up_threshold", AdaptiveOptions.propertyName(AdaptiveOptions.UP_THRESHOLD));
        assertEquals("adaptiveio.oscillation_lock_seconds", AdaptiveOptions.propertyName(AdaptiveOptions.OSCILLATION_LOCK_SECONDS));
        assertEquals(15, AdaptiveOptions.ALL.size());
    }

    @Test
    void startPrecedenceOptionThenPropertyThenEnvironmentThenDefault() {
        ConfigSource all = ConfigSource.of(Map.of("adaptiveio.start", "epoll"), Map.of("ADAPTIVEIO_START", "io_uring"));
        OptionMap option = OptionMap.create(AdaptiveOptions.START, StartMode.AUTO);

        Setting<StartMode> fromOption = AdaptiveSettings.resolve(all, option).start();
        assertEquals(StartMode.AUTO, fromOption.value());
        assertEquals(Setting.Origin.XNIO_OPTION, fromOption.origin());
        assertEquals("AdaptiveOptions.START", fromOption.key());

        Setting<StartMode> fromProperty = AdaptiveSettings.resolve(all).start();
        assertEquals(StartMode.EPOLL, fromProperty.value());
        assertEquals("adaptiveio.start=epoll", fromProperty.describe());

        ConfigSource envOnly = ConfigSource.of(Map.of(), Map.of("ADAPTIVEIO_START", "io_uring"));
        Setting<StartMode> fromEnv = AdaptiveSettings.resolve(envOnly).start();
        assertEquals(StartMode.IO_URING, fromEnv.value());
        assertEquals(Setting.Origin.ENVIRONMENT, fromEnv.origin());
        assertEquals("ADAPTIVEIO_START=io_uring", fromEnv.describe());

        assertEquals(Setting.Origin.DEFAULT, AdaptiveSettings.resolve(NOTHING).start().origin());
    }

    @Test
    void blankValuesCountAsUnset() {
        ConfigSource blanks = ConfigSource.of(Map.of("adaptiveio.start", " "), Map.of("ADAPTIVEIO_START", "io_uring"));
        assertEquals(StartMode.IO_URING, AdaptiveSettings.resolve(blanks).start().value());
        ConfigSource blankEnv = ConfigSource.of(Map.of(), Map.of("ADAPTIVEIO_START", ""));
        assertEquals(Setting.Origin.DEFAULT, AdaptiveSettings.resolve(blankEnv).start().origin());
    }

    @Test
    void onlyTheStartOverrideAndTheTransplantFlagReadTheEnvironment() {
        ConfigSource env = ConfigSource.of(Map.of(), Map.of("ADAPTIVEIO_UP_THRESHOLD", "30", "ADAPTIVEIO_TRANSPLANT", "true"));
        AdaptiveSettings settings = AdaptiveSettings.resolve(env);
        assertEquals(ControllerConfig.defaults().upThreshold(), settings.controller().upThreshold());
        // docs/transplant.md: ADAPTIVEIO_TRANSPLANT=true makes adaptive listeners join, as the property does.
        assertTrue(settings.transplant());
    }

    @Test
    void startValuesAreCaseInsensitive() {
        assertEquals(StartMode.IO_URING, AdaptiveSettings.resolve(props(Map.of("adaptiveio.start", " IO_URING "))).start().value());
        assertEquals(StartMode.EPOLL, AdaptiveSettings.resolve(props(Map.of("adaptiveio.start", "Epoll"))).start().value());
    }

    @Test
    void listenerOptionsWinOverWorkerOptionsWhichWinOverProperties() {
        OptionMap listener = OptionMap.create(AdaptiveOptions.UP_THRESHOLD, 30);
        OptionMap worker = OptionMap.builder().set(AdaptiveOptions.UP_THRESHOLD, 40).set(AdaptiveOptions.HIGH_WATERMARK, 90).getMap();
        ConfigSource source = props(Map.of("adaptiveio.up_threshold", "50", "adaptiveio.high_watermark", "100",
                "adaptiveio.down_threshold", "5"));
        ControllerConfig c = AdaptiveSettings.resolve(source, listener, worker).controller();
        assertEquals(30, c.upThreshold());
        assertEquals(90, c.highWatermark());
        assertEquals(5, c.downThreshold());
    }

    @ParameterizedTest
    @CsvSource({
            "adaptiveio.up_threshold, 30",
            "adaptiveio.sustained_ticks, 5",
            "adaptiveio.high_watermark, 64",
            "adaptiveio.down_threshold, 3",
            "adaptiveio.cooldown_seconds, 7",
            "adaptiveio.large_payload_bytes, 1024",
            "adaptiveio.error_revert_rate, 0.2",
            "adaptiveio.oscillation_switches, 5",
            "adaptiveio.oscillation_window_seconds, 60",
            "adaptiveio.oscillation_lock_seconds, 90",
            "adaptiveio.tick_millis, 250",
    })
    void everyControllerKnobIsSettableByItsProperty(String property, String value) {
        ControllerConfig c = AdaptiveSettings.resolve(props(Map.of(property, value))).controller();
        String actual;
        switch (property) {
            case "adaptiveio.up_threshold": actual = String.valueOf(c.upThreshold()); break;
            case "adaptiveio.sustained_ticks": actual = String.valueOf(c.sustainedTicks()); break;
            case "adaptiveio.high_watermark": actual = String.valueOf(c.highWatermark()); break;
            case "adaptiveio.down_threshold": actual = String.valueOf(c.downThreshold()); break;
            case "adaptiveio.cooldown_seconds": actual = String.valueOf(c.cooldown().toSeconds()); break;
            case "adaptiveio.large_payload_bytes": actual = String.valueOf(c.largePayloadBytes()); break;
            case "adaptiveio.error_revert_rate": actual = String.valueOf(c.errorRevertRate()); break;
            case "adaptiveio.oscillation_switches": actual = String.valueOf(c.oscillationSwitches()); break;
            case "adaptiveio.oscillation_window_seconds": actual = String.valueOf(c.oscillationWindow().toSeconds()); break;
            case "adaptiveio.oscillation_lock_seconds": actual = String.valueOf(c.oscillationLock().toSeconds()); break;
            case "adaptiveio.tick_millis": actual = String.valueOf(c.tick().toMillis()); break;
            default: throw new AssertionError(property);
        }
        assertEquals(value, actual);
    }

    @Test
    void hintH2cAndTransplantBySystemPropertyAndOption() {
        AdaptiveSettings byProperty = AdaptiveSettings.resolve(props(Map.of("adaptiveio.workload_hint", "high_concurrency",
                "adaptiveio.h2c", "true", "adaptiveio.transplant", "TRUE")));
        assertEquals(WorkloadHint.HIGH_CONCURRENCY, byProperty.workloadHint());
        assertTrue(byProperty.h2c());
        assertTrue(byProperty.transplant());

        OptionMap options = OptionMap.builder()
                .set(AdaptiveOptions.WORKLOAD_HINT, WorkloadHint.LOW_CONCURRENCY)
                .set(AdaptiveOptions.H2C, false)
                .set(AdaptiveOptions.TRANSPLANT, false)
                .getMap();
        AdaptiveSettings byOption = AdaptiveSettings.resolve(props(Map.of("adaptiveio.workload_hint", "HIGH_CONCURRENCY",
                "adaptiveio.h2c", "true", "adaptiveio.transplant", "true")), options);
        assertEquals(WorkloadHint.LOW_CONCURRENCY, byOption.workloadHint());
        assertFalse(byOption.h2c());
        assertFalse(byOption.transplant());
    }

    @Test
    void xnioCanParseTheTypedOptionsFromText() {
        OptionMap parsed = OptionMap.builder()
                .parse(AdaptiveOptions.WORKLOAD_HINT, "HIGH_CONCURRENCY")
                .parse(AdaptiveOptions.UP_THRESHOLD, "32")
                .parse(AdaptiveOptions.COOLDOWN_SECONDS, "5")
                .getMap();
        AdaptiveSettings settings = AdaptiveSettings.resolve(NOTHING, parsed);
        assertEquals(WorkloadHint.HIGH_CONCURRENCY, settings.workloadHint());
        assertEquals(32, settings.controller().upThreshold());
        assertEquals(Duration.ofSeconds(5), settings.controller().cooldown());
    }

    @Test
    void optionsOfUnrelatedClassesWithTheSameNameAreIgnored() {
        Option<String> unrelated = Option.simple(AdaptiveSettingsTest.class, "START", String.class);
        AdaptiveSettings settings = AdaptiveSettings.resolve(NOTHING, OptionMap.create(unrelated, "io_uring"));
        assertEquals(Setting.Origin.DEFAULT, settings.start().origin());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "adaptiveio.start|uring|START|epoll, io_uring or auto",
            "adaptiveio.workload_hint|HIGH|WORKLOAD_HINT|LOW_CONCURRENCY HIGH_CONCURRENCY AUTO",
            "adaptiveio.h2c|yes|H2C|true or false",
            "adaptiveio.transplant|1|TRANSPLANT|true or false",
            "adaptiveio.up_threshold|abc|UP_THRESHOLD|an integer >= 1",
            "adaptiveio.up_threshold|0|UP_THRESHOLD|an integer >= 1",
            "adaptiveio.up_threshold|99999999999|UP_THRESHOLD|an integer from 1 to 2147483647",
            "adaptiveio.sustained_ticks|0|SUSTAINED_TICKS|an integer >= 1",
            "adaptiveio.down_threshold|-1|DOWN_THRESHOLD|an integer >= 0",
            "adaptiveio.cooldown_seconds|-5|COOLDOWN_SECONDS|an integer >= 0",
            "adaptiveio.cooldown_seconds|30s|COOLDOWN_SECONDS|an integer >= 0",
            "adaptiveio.error_revert_rate|5%|ERROR_REVERT_RATE|a number from 0 to 1",
            "adaptiveio.error_revert_rate|1.5|ERROR_REVERT_RATE|a number from 0 to 1",
            "adaptiveio.error_revert_rate|NaN|ERROR_REVERT_RATE|a number from 0 to 1",
            "adaptiveio.tick_millis|5|TICK_MILLIS|an integer >= 10",
            "adaptiveio.oscillation_switches|0|OSCILLATION_SWITCHES|an integer >= 1",
    })
    void invalidPropertyValuesNameTheOptionTheValueAndWhatIsAllowed(String property, String value, String option, String allowed) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveSettings.resolve(props(Map.of(property, value))));
        String message = e.getMessage();
        assertTrue(message.contains(option), message);
        assertTrue(message.contains("'" + value + "'"), message);
        assertTrue(message.contains(allowed), message);
        assertTrue(message.contains("system property " + property), message);
    }

    @Test
    void invalidEnvironmentAndOptionValuesNameTheirSource() {
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveSettings.resolve(ConfigSource.of(Map.of(), Map.of("ADAPTIVEIO_START", "nio"))));
        assertTrue(env.getMessage().contains("environment variable ADAPTIVEIO_START"), env.getMessage());
        assertTrue(env.getMessage().contains("'nio'"), env.getMessage());

        IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveSettings.resolve(NOTHING, OptionMap.create(AdaptiveOptions.HIGH_WATERMARK, 0)));
        assertTrue(option.getMessage().contains("XNIO option AdaptiveOptions.HIGH_WATERMARK"), option.getMessage());
    }

    @Test
    void contradictingThresholdsNameBothOptionsAndWhereTheyWereSet() {
        IllegalArgumentException inverted = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveSettings.resolve(props(Map.of("adaptiveio.down_threshold", "8"))));
        assertTrue(inverted.getMessage().contains("DOWN_THRESHOLD (8) must be below UP_THRESHOLD (8)"), inverted.getMessage());
        assertTrue(inverted.getMessage().contains("adaptiveio.down_threshold=8"), inverted.getMessage());

        IllegalArgumentException watermark = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveSettings.resolve(props(Map.of("adaptiveio.up_threshold", "60"))));
        assertTrue(watermark.getMessage().contains("HIGH_WATERMARK (32) must not be below UP_THRESHOLD (60)"), watermark.getMessage());
    }

    @Test
    void configuredListsTheNonDefaultSettings() {
        AdaptiveSettings settings = AdaptiveSettings.resolve(
                ConfigSource.of(Map.of("adaptiveio.cooldown_seconds", "10"), Map.of("ADAPTIVEIO_START", "epoll")));
        assertEquals(2, settings.configured().size());
        assertTrue(settings.toString().contains("ADAPTIVEIO_START=epoll"), settings.toString());
        assertTrue(settings.toString().contains("adaptiveio.cooldown_seconds=10"), settings.toString());
    }

    @Test
    void systemSourceReadsRealSystemProperties() {
        String property = "adaptiveio.sustained_ticks";
        String previous = System.getProperty(property);
        System.setProperty(property, "4");
        try {
            assertEquals(4, AdaptiveSettings.fromSystem().controller().sustainedTicks());
        } finally {
            if (previous == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, previous);
            }
        }
    }
}

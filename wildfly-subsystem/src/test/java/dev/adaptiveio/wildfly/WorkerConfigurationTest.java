package dev.adaptiveio.wildfly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.jboss.as.controller.ExpressionResolver;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.dmr.ModelNode;
import org.jboss.dmr.ValueExpression;
import org.junit.jupiter.api.Test;
import org.xnio.Option;
import org.xnio.OptionMap;

import dev.adaptiveio.adaptive.control.AdaptiveOptions;
import dev.adaptiveio.adaptive.control.AdaptiveSettings;
import dev.adaptiveio.adaptive.control.ConfigSource;
import dev.adaptiveio.adaptive.control.ControllerConfig;
import dev.adaptiveio.adaptive.control.Setting;
import dev.adaptiveio.adaptive.control.StartMode;
import dev.adaptiveio.adaptive.control.WorkloadHint;
import dev.adaptiveio.uring.UringAcceptMode;
import dev.adaptiveio.uring.UringOptions;

/**
 * From the management model to the options the providers read, checked with the adaptive provider's own resolver:
 * defined attributes win, undefined ones leave the provider's system property and default in charge.
 */
class WorkerConfigurationTest {

    private static final ConfigSource NOTHING = ConfigSource.of(Map.of(), Map.of());

    private static WorkerConfiguration resolve(String... attributes) throws OperationFailedException {
        ModelNode model = new ModelNode().setEmptyObject();
        for (int i = 0; i < attributes.length; i += 2) {
            String value = attributes[i + 1];
            if (value.startsWith("${")) {
                model.get(attributes[i]).set(new ValueExpression(value));
            } else {
                model.get(attributes[i]).set(value);
            }
        }
        return WorkerConfiguration.resolve(ExpressionResolver.TEST_RESOLVER, "w", model);
    }

    private static boolean hasAny(OptionMap map, Iterable<Option<?>> options) {
        for (Option<?> option : options) {
            if (map.contains(option)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void undefinedAttributesLeaveTheSystemPropertiesInCharge() throws Exception {
        OptionMap options = resolve("engine", "adaptive").toOptionMap();
        assertFalse(hasAny(options, AdaptiveOptions.ALL), "only attributes the user defined are passed: " + options);

        ConfigSource properties = ConfigSource.of(Map.of("adaptiveio.start", "io_uring", "adaptiveio.transplant", "true",
                "adaptiveio.up_threshold", "16"), Map.of());
        AdaptiveSettings settings = AdaptiveSettings.resolve(properties, options);
        assertEquals(StartMode.IO_URING, settings.start().value());
        assertEquals(Setting.Origin.SYSTEM_PROPERTY, settings.start().origin());
        assertTrue(settings.transplant());
        assertEquals(16, settings.controller().upThreshold());
    }

    @Test
    void definedAttributesBecomeTypedOptionsThatBeatTheProperties() throws Exception {
        OptionMap options = resolve("engine", "adaptive", "start", "epoll", "workload-hint", "HIGH_CONCURRENCY", "h2c", "true",
                "up-threshold", "12", "down-threshold", "3", "high-watermark", "40", "sustained-ticks", "3", "cooldown", "7",
                "large-payload-bytes", "4096", "error-revert-rate", "0", "oscillation-switches", "5", "oscillation-window", "60",
                "oscillation-lock", "90", "tick", "250", "transplant", "true", "ring-size", "512", "receive-buffer-size", "16384", "accept-mode", "readiness").toOptionMap();
        assertEquals(StartMode.EPOLL, options.get(AdaptiveOptions.START));
        assertEquals(512, options.get(UringOptions.RING_SIZE, -1));
        assertEquals(16384, options.get(UringOptions.RECEIVE_BUFFER_SIZE, -1));
        assertEquals(UringAcceptMode.READINESS, options.get(UringOptions.ACCEPT_MODE));

        AdaptiveSettings settings = AdaptiveSettings.resolve(ConfigSource.of(Map.of("adaptiveio.start", "io_uring"), Map.of()), options);
        assertEquals(StartMode.EPOLL, settings.start().value());
        assertEquals(Setting.Origin.XNIO_OPTION, settings.start().origin());
        assertEquals(WorkloadHint.HIGH_CONCURRENCY, settings.workloadHint());
        assertTrue(settings.h2c());
        assertTrue(settings.transplant());
        ControllerConfig expected = ControllerConfig.builder().upThreshold(12).downThreshold(3).highWatermark(40).sustainedTicks(3)
                .cooldown(java.time.Duration.ofSeconds(7)).largePayloadBytes(4096).errorRevertRate(0).oscillationSwitches(5)
                .oscillationWindow(java.time.Duration.ofSeconds(60)).oscillationLock(java.time.Duration.ofSeconds(90))
                .tick(java.time.Duration.ofMillis(250)).build();
        assertEquals(expected, settings.controller());
    }

    @Test
    void everyAdaptiveAttributeDefaultIsTheProvidersDefault() {
        AdaptiveSettings provider = AdaptiveSettings.resolve(NOTHING);
        ControllerConfig c = provider.controller();
        assertEquals(provider.start().value().userName(), WorkerAttributes.START.getDefaultValue().asString());
        assertEquals(provider.workloadHint().name(), WorkerAttributes.WORKLOAD_HINT.getDefaultValue().asString());
        assertEquals(provider.h2c(), WorkerAttributes.H2C.getDefaultValue().asBoolean());
        assertEquals(provider.transplant(), WorkerAttributes.TRANSPLANT.getDefaultValue().asBoolean());
        assertEquals(c.upThreshold(), WorkerAttributes.UP_THRESHOLD.getDefaultValue().asInt());
        assertEquals(c.downThreshold(), WorkerAttributes.DOWN_THRESHOLD.getDefaultValue().asInt());
        assertEquals(c.highWatermark(), WorkerAttributes.HIGH_WATERMARK.getDefaultValue().asInt());
        assertEquals(c.sustainedTicks(), WorkerAttributes.SUSTAINED_TICKS.getDefaultValue().asInt());
        assertEquals(c.cooldown().toSeconds(), WorkerAttributes.COOLDOWN.getDefaultValue().asLong());
        assertEquals(c.largePayloadBytes(), WorkerAttributes.LARGE_PAYLOAD_BYTES.getDefaultValue().asInt());
        assertEquals(c.errorRevertRate(), WorkerAttributes.ERROR_REVERT_RATE.getDefaultValue().asDouble());
        assertEquals(c.oscillationSwitches(), WorkerAttributes.OSCILLATION_SWITCHES.getDefaultValue().asInt());
        assertEquals(c.oscillationWindow().toSeconds(), WorkerAttributes.OSCILLATION_WINDOW.getDefaultValue().asLong());
        assertEquals(c.oscillationLock().toSeconds(), WorkerAttributes.OSCILLATION_LOCK.getDefaultValue().asLong());
        assertEquals(c.tick().toMillis(), WorkerAttributes.TICK.getDefaultValue().asLong());
        assertEquals(AdaptiveOptions.ALL.size(), WorkerAttributes.ADAPTIVE.size(), "one attribute per adaptive option");
        assertEquals(UringAcceptMode.DEFAULT.userName(), WorkerAttributes.ACCEPT_MODE.getDefaultValue().asString());
    }

    @Test
    void engineOptionsGoOnlyToTheEnginesThatReadThem() throws Exception {
        OptionMap epoll = resolve("engine", "epoll", "up-threshold", "4", "start", "io_uring", "ring-size", "512",
                "accept-mode", "readiness").toOptionMap();
        assertFalse(hasAny(epoll, AdaptiveOptions.ALL), epoll.toString());
        assertFalse(epoll.contains(UringOptions.RING_SIZE), epoll.toString());
        assertFalse(epoll.contains(UringOptions.ACCEPT_MODE), epoll.toString());

        OptionMap uring = resolve("engine", "io_uring", "up-threshold", "4", "ring-size", "512", "accept-mode", "readiness").toOptionMap();
        assertFalse(hasAny(uring, AdaptiveOptions.ALL), uring.toString());
        assertEquals(512, uring.get(UringOptions.RING_SIZE, -1));
        assertEquals(UringAcceptMode.READINESS, uring.get(UringOptions.ACCEPT_MODE));
    }

    @Test
    void anUndefinedAcceptModeLeavesThePropertyInCharge() throws Exception {
        // Not passed, so the provider reads -Dadaptiveio.io_uring.acceptMode, then its default.
        assertFalse(resolve("engine", "io_uring").toOptionMap().contains(UringOptions.ACCEPT_MODE));
        assertFalse(resolve("engine", "adaptive").toOptionMap().contains(UringOptions.ACCEPT_MODE));
        // Defined, even as its default, it is passed and beats the property.
        assertEquals(UringAcceptMode.RING, resolve("engine", "adaptive", "accept-mode", "ring").toOptionMap().get(UringOptions.ACCEPT_MODE));
        assertEquals(UringAcceptMode.READINESS, resolve("engine", "io_uring", "accept-mode", "${adaptiveio.test.accept-mode:readiness}")
                .toOptionMap().get(UringOptions.ACCEPT_MODE));
    }

    @Test
    void aThresholdFromASystemPropertyIsNamedAsSuch() throws Exception {
        String property = AdaptiveOptions.propertyName(AdaptiveOptions.DOWN_THRESHOLD);
        System.setProperty(property, "10");
        try {
            OperationFailedException e = org.junit.jupiter.api.Assertions.assertThrows(OperationFailedException.class,
                    () -> resolve("engine", "adaptive", "up-threshold", "9", "high-watermark", "40"));
            assertTrue(e.getMessage().contains("down-threshold (10, system property adaptiveio.down_threshold)"), e.getMessage());
            // Defined on the worker, the attribute wins over the property and the order holds.
            resolve("engine", "adaptive", "up-threshold", "9", "down-threshold", "2", "high-watermark", "40");
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void taskThreadDefaultsGiveWayToTheUsersChoice() throws Exception {
        WorkerConfiguration maxOnly = resolve("task-max-threads", "1");
        assertEquals(1, maxOnly.taskCoreThreads());
        assertEquals(1, maxOnly.taskMaxThreads());
        OperationFailedException e = org.junit.jupiter.api.Assertions.assertThrows(OperationFailedException.class,
                () -> resolve("task-core-threads", "3", "task-max-threads", "2"));
        assertTrue(e.getMessage().startsWith("ADIOWF0008"), e.getMessage());
    }
}

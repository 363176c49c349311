package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import dev.adaptiveio.adaptive.control.AdaptiveSettings;
import dev.adaptiveio.adaptive.control.ConfigSource;
import dev.adaptiveio.adaptive.control.Setting;
import org.junit.jupiter.api.Test;

/**
 * {@code ADAPTIVEIO_TRANSPLANT=true} must make adaptive listeners join (docs/transplant.md), not
 * only switch the global hook on: {@link AdaptiveTransplant} joins a listener whose settings say
 * {@code transplant}, so the settings have to read the variable.
 */
class EnvironmentFlagTest {

    @Test
    void theEnvironmentVariableTurnsAListenersTransplantOn() {
        AdaptiveSettings s = AdaptiveSettings.resolve(ConfigSource.of(Map.of(), Map.of(TransplantOptions.ENVIRONMENT, "true")));
        assertTrue(s.transplant());
        assertTrue(s.configured().stream().anyMatch(c -> c.origin() == Setting.Origin.ENVIRONMENT
                && c.key().equals(TransplantOptions.ENVIRONMENT)), s.configured().toString());
    }

    @Test
    void thePropertyWinsOverTheEnvironmentAndNothingMeansOff() {
        assertFalse(AdaptiveSettings.resolve(ConfigSource.of(Map.of(TransplantOptions.PROPERTY, "false"),
                Map.of(TransplantOptions.ENVIRONMENT, "true"))).transplant());
        assertFalse(AdaptiveSettings.resolve(ConfigSource.of(Map.of(), Map.of())).transplant());
    }

    @Test
    void aTypoIsAnErrorNamingTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdaptiveSettings.resolve(
                ConfigSource.of(Map.of(), Map.of(TransplantOptions.ENVIRONMENT, "yes"))));
        assertTrue(e.getMessage().contains(TransplantOptions.ENVIRONMENT), e.getMessage());
    }

    @Test
    void settingsAndTheGlobalFlagReadTheSameNames() {
        assertEquals(dev.adaptiveio.adaptive.control.AdaptiveOptions.propertyName(dev.adaptiveio.adaptive.control.AdaptiveOptions.TRANSPLANT),
                TransplantOptions.PROPERTY);
        assertEquals(dev.adaptiveio.adaptive.control.AdaptiveOptions.TRANSPLANT_ENVIRONMENT_VARIABLE,
                TransplantOptions.ENVIRONMENT);
    }
}

package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.TargetSet;
import org.junit.jupiter.api.Test;

class SweepLimitsTest {

    @Test
    void rangesWiderThanASlash16NeedAllowLarge() {
        SweepOptions plain = SweepOptions.defaults();
        assertThatCode(() -> Sweep.checkSize(TargetSet.of("10.0.0.0/16"), plain)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Sweep.checkSize(TargetSet.of("10.0.0.0/15"), plain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.0.0/15").hasMessageContaining("allowLarge");
        assertThatCode(() -> Sweep.checkSize(TargetSet.of("10.0.0.0/8"), SweepOptions.builder().allowLarge(true).build()))
                .doesNotThrowAnyException();
    }

    @Test
    void rangesWiderThanASlash8AreRefusedEvenWithAllowLarge() {
        assertThatThrownBy(() -> Sweep.checkSize(TargetSet.of("10.0.0.0/7"), SweepOptions.builder().allowLarge(true).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wider than a /8").hasMessageContaining("10.0.0.0/7");
    }

    @Test
    void invalidOptionsAreAllReported() {
        assertThatThrownBy(() -> SweepOptions.builder().timeout(java.time.Duration.ZERO).retries(-1).build())
                .hasMessageContaining("timeout").hasMessageContaining("retries");
    }
}

package org.m13.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfThreeIsTheMiddleRunWhateverTheOrder() {
        assertEquals(470.0, Stats.median(List.of(480.0, 470.0, 300.0)));
        assertEquals(470.0, Stats.median(List.of(300.0, 480.0, 470.0)));
        assertEquals(5.0, Stats.median(List.of(5.0)));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)));
    }

    @Test
    void p99OfTwoHundredPingsIsThe198thSmallest() {
        List<Double> rtts = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            rtts.add(i / 10.0);
        }
        Collections.shuffle(rtts, new Random(13));
        assertEquals(19.8, Stats.percentile(rtts, 99));
        assertEquals(10.0, Stats.percentile(rtts, 50));
        assertEquals(20.0, Stats.percentile(rtts, 100));
        assertEquals(0.1, Stats.min(rtts));
    }

    @Test
    void p99OfFewValuesIsTheLargest() {
        assertEquals(3.0, Stats.percentile(List.of(1.0, 3.0, 2.0), 99));
    }

    @Test
    void emptyInputAndPercentilesOutOfRangeAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> Stats.median(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(List.of(1.0), 0));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(List.of(1.0), 101));
    }
}

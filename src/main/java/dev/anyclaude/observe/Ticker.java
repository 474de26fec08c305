package dev.anyclaude.observe;

/**
 * A monotonic clock in nanoseconds. It comes in through this one-method interface so that cool-downs,
 * sample ages and rates are tested by moving a fake ticker instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
    long nanos();

    Ticker SYSTEM = System::nanoTime;
}

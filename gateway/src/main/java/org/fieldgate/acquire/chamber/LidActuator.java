package org.fieldgate.acquire.chamber;

/**
 * Drives chamber lids (the GPIO relay driver implements it). Both calls command the movement and return; they do
 * not wait for the lid to finish moving (the schedule's close-s / open-s covers that). Any exception is an actuator
 * failure: the sequencer aborts or annotates the closure and carries on with the next chamber.
 */
public interface LidActuator {
    void close(String chamberId) throws Exception;

    void open(String chamberId) throws Exception;
}

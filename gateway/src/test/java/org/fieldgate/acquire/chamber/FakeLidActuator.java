package org.fieldgate.acquire.chamber;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Records lid commands (with the scheduler's time) and fails the ones it is told to; can wrap another actuator. */
public final class FakeLidActuator implements LidActuator {
    public record Command(long atNs, String action, String chamberId, boolean failed) {
    }

    private final Scheduler scheduler;
    private final LidActuator delegate;
    private final List<Command> commands = new ArrayList<>();
    private final Set<String> failClose = new HashSet<>();
    private final Set<String> failOpen = new HashSet<>();

    public FakeLidActuator(Scheduler scheduler) {
        this(scheduler, null);
    }

    public FakeLidActuator(Scheduler scheduler, LidActuator delegate) {
        this.scheduler = scheduler;
        this.delegate = delegate;
    }

    public void failClose(String chamberId) {
        failClose.add(chamberId);
    }

    public void failOpen(String chamberId) {
        failOpen.add(chamberId);
    }

    public void heal() {
        failClose.clear();
        failOpen.clear();
    }

    public List<Command> commands() {
        return List.copyOf(commands);
    }

    @Override
    public void close(String chamberId) throws Exception {
        boolean fail = failClose.contains(chamberId);
        commands.add(new Command(scheduler.nowNs(), "close", chamberId, fail));
        if (fail) {
            throw new java.io.IOException("relay on " + chamberId + " did not switch");
        }
        if (delegate != null) {
            delegate.close(chamberId);
        }
    }

    @Override
    public void open(String chamberId) throws Exception {
        boolean fail = failOpen.contains(chamberId);
        commands.add(new Command(scheduler.nowNs(), "open", chamberId, fail));
        if (fail) {
            throw new IllegalStateException("GPIO line busy");
        }
        if (delegate != null) {
            delegate.open(chamberId);
        }
    }
}

package org.fieldgate.testkit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue point 9: closing the browser stops its whole process tree (renderer, GPU, zygotes, crashpad) before the
 * profile is deleted, so no helper still writing into it makes the deletion fail (DirectoryNotEmpty) and fail the
 * test that used the browser. Repeated: the failure it guards against came and went from run to run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class HeadlessChromiumTest {

    @RepeatedTest(3)
    void closeStopsEveryProcessOfTheBrowserAndDeletesItsProfile() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.start();
        List<ProcessHandle> tree;
        Path profile = chromium.profile();
        try {
            chromium.navigate("data:text/html,<h1 id=t>renderer</h1><script>localStorage.setItem('k','v')</script>");
            chromium.waitFor("the page to render", "document.getElementById('t').textContent === 'renderer'",
                    Duration.ofSeconds(20), () -> "");
            tree = chromium.processTree();
            assertTrue(tree.size() > 1, "a browser with helper processes: " + tree);
        } finally {
            chromium.close();
        }
        List<Long> alive = tree.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
        System.out.printf("chromium tree of %d process(es) closed; alive right after close: %s; profile left: %s%n",
                tree.size(), alive, Files.exists(profile));
        assertEquals(List.of(), alive, "processes of the browser still running after close()");
        assertFalse(Files.exists(profile), "profile " + profile + " still there");
    }
}

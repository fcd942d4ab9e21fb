// Named points where tests stop the process deterministically, without
// sleeps: PODSTACK_TEST_HOOK=POINT:ACTION (e.g. pod-save-written:kill).
//
//   kill   the process SIGKILLs itself at POINT (a kill -9 at an exact place)
//   pause  it writes "podstack: paused at POINT" to stderr and waits forever,
//          so a test can read that line and then kill -9 it from outside
//
// Points: pod-write-half (half of a pod file written to its .partial:
// import, export; a streamed save: its state written, its blobs not yet),
// pod-write-fsynced (the .partial complete and fsynced, not yet linked or
// renamed into place), pod-load-blobs (a streamed load wrote its first
// batch of blobs into its bulk-load files, not yet part of the store),
// pod-load-checked (pod validated, nothing committed), pod-load-submitted
// (the PodLoaded event handed to the log writer, state not yet swapped),
// pod-load-committed (the event durable, no checkpoint yet).
// Unset (always, outside tests) it costs one branch on a cached bool.
#pragma once
#include "store/not_for_services.h"
#include <string>

namespace podstack {

void test_hook(const char* point);
// The POINT:ACTION spec (PODSTACK_TEST_HOOK, read by server/config): set once
// at startup, before any thread runs.
void set_test_hook(std::string spec);

}  // namespace podstack

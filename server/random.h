// What a service may know of the id generator behind random_chars() and
// random_uuid() (server/service.h; the generator is server/ids.h).
#pragma once

namespace podstack {

// PODSTACK_SEED is in effect: the same requests must get the same ids, so an
// id a service makes must come from random_chars()/random_uuid() alone, not
// from the clock or a process counter.
bool deterministic_ids();

}  // namespace podstack

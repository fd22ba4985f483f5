// LD_PRELOAD shim for the Janus benchmark peer: Janus (libnice gathering)
// always skips interfaces flagged IFF_LOOPBACK, whatever nat.ice_enforce_list
// says, so in a namespace holding only `lo` it would gather no candidate.
// This wraps getifaddrs() and clears the flag on what it returns, so Janus
// offers 127.0.0.1 like any host address. Built by bench/voice/run with cc.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stddef.h>

int getifaddrs(struct ifaddrs** ifap) {
    static int (*real)(struct ifaddrs**) = NULL;
    if (real == NULL) {
        real = (int (*)(struct ifaddrs**))dlsym(RTLD_NEXT, "getifaddrs");
        if (real == NULL) return -1;
    }
    int rc = real(ifap);
    if (rc == 0) {
        for (struct ifaddrs* i = *ifap; i != NULL; i = i->ifa_next) i->ifa_flags &= ~(unsigned)IFF_LOOPBACK;
    }
    return rc;
}

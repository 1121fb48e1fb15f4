/* A stand-in for Windows' bcryptprimitives.dll, for Wine 8.0 (Debian 12), which lacks it. Rust's
 * standard library on Windows (1.78 and later) takes its random seeds from ProcessPrng there;
 * every Windows 10 and later has the real DLL. Only `.ci/run native` uses this, to start the
 * Windows binary under Wine: it is never shipped.
 *
 * No headers and no C runtime (`zig cc -shared -nostdlib ... -ladvapi32`): linking it needs only
 * advapi32's import library, so zig builds no MinGW runtime first (0.1 s instead of a minute). */
typedef unsigned long long size;

/* RtlGenRandom, as advapi32 exports it. */
__declspec(dllimport) unsigned char __stdcall SystemFunction036(void *buffer, unsigned long length);

int __stdcall DllMainCRTStartup(void *dll, unsigned long reason, void *reserved) {
    (void)dll;
    (void)reason;
    (void)reserved;
    return 1;
}

__declspec(dllexport) int __stdcall ProcessPrng(unsigned char *data, size len) {
    while (len > 0) {
        unsigned long chunk = len > 0x10000000 ? 0x10000000 : (unsigned long)len;
        if (!SystemFunction036(data, chunk)) return 0;
        data += chunk;
        len -= chunk;
    }
    return 1;
}

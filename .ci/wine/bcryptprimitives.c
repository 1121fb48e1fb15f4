/* A stand-in for Windows' bcryptprimitives.dll, for Wine 8.0 (Debian 12), which lacks it. Rust's
 * standard library on Windows (1.78 and later) takes its random seeds from ProcessPrng there;
 * every Windows 10 and later has the real DLL. Only `.ci/run native` uses this, to start the
 * Windows binary under Wine: it is never shipped. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

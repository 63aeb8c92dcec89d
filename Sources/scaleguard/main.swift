#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import ArgumentParser

// A peer that resets a TLS connection must not kill the process through SIGPIPE.
signal(SIGPIPE, SIG_IGN)
ScaleGuardCommand.main()

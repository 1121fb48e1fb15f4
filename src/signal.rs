//! Stop signals: Ctrl-C, and on Unix SIGTERM (what `docker stop` and Kubernetes send), as one
//! stream that the long-running commands (`backfill`, `serve`) watch to stop cleanly.

/// The stop signals of this process, from the moment it is made.
pub(crate) struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Starts listening (within a tokio runtime).
    pub(crate) fn new() -> Signals {
        Signals {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
        }
    }

    /// Waits for the next stop: true when one came, false when no signal can be watched any more.
    #[cfg(unix)]
    pub(crate) async fn next(&mut self) -> bool {
        match &mut self.term {
            Some(term) => tokio::select! {
                r = tokio::signal::ctrl_c() => r.is_ok(),
                r = term.recv() => r.is_some(),
            },
            None => tokio::signal::ctrl_c().await.is_ok(),
        }
    }

    /// Waits for the next stop (Ctrl-C): true when one came, false when it cannot be watched.
    #[cfg(not(unix))]
    pub(crate) async fn next(&mut self) -> bool {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

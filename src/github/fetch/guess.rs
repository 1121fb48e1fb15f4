//! A request guessed from the hint: sent in the first round trip with what the hint says (the
//! runner's variables, or the run inside a `workflow_run` event), before the run itself has
//! answered, and used only when the run, once read, says the same; else asked again with what
//! the run says. A wrong guess costs one request, never a wrong answer.

use crate::github::error::Error;
use std::future::Future;

/// The answer to a guessed request, and what it was asked for.
pub(super) struct Guess<K, T, E = Error> {
    asked: Option<(K, Result<T, E>)>,
}

impl<K: Clone, T, E> Guess<K, T, E> {
    /// Asks `ask(key)` when the hint gives a key; nothing otherwise.
    pub(super) async fn ask<F, Fut>(key: Option<K>, ask: F) -> Guess<K, T, E>
    where
        F: FnOnce(K) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let asked = match key {
            Some(k) => {
                let answer = ask(k.clone()).await;
                Some((k, answer))
            }
            None => None,
        };
        Guess { asked }
    }

    /// What the guess was asked for, when the hint gave something.
    pub(super) fn key(&self) -> Option<&K> {
        self.asked.as_ref().map(|(k, _)| k)
    }

    /// The answer, when the guess `fits` what the run says and GitHub answered it.
    pub(super) fn take_if(self, fits: impl FnOnce(&K) -> bool) -> Option<T> {
        match self.asked {
            Some((k, Ok(answer))) if fits(&k) => Some(answer),
            _ => None,
        }
    }

    /// The guessed answer when it fits, else `ask()` (with what the run says).
    pub(super) async fn or_ask<Fut>(
        self,
        fits: impl FnOnce(&K) -> bool,
        ask: impl FnOnce() -> Fut,
    ) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        match self.take_if(fits) {
            Some(answer) => Ok(answer),
            None => ask().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_guess_is_used_only_when_it_fits() {
        let asked = std::cell::Cell::new(0);
        let ask = |k: &str| {
            asked.set(asked.get() + 1);
            let answer = format!("answer for {k}");
            async move { Ok::<_, String>(answer) }
        };
        let g = block(Guess::ask(Some("abc"), ask));
        let got = block(g.or_ask(|k| *k == "abc", || ask("abc"))).unwrap();
        assert_eq!((got.as_str(), asked.get()), ("answer for abc", 1));
        let g = block(Guess::ask(Some("abc"), ask));
        let got = block(g.or_ask(|k| *k == "def", || ask("def"))).unwrap();
        assert_eq!((got.as_str(), asked.get()), ("answer for def", 3));
        // A guess GitHub refused is asked again.
        let g: Guess<&str, String, String> = block(Guess::ask(Some("abc"), |_| async {
            Err("GitHub answered 502".to_owned())
        }));
        assert_eq!(g.take_if(|_| true), None);
    }
}

//! Reading GitHub: the API client (one thin function per endpoint) and what can go wrong with it
//! (`error`, every message about it), the one source of the
//! look-ups' answers (`source`), reading every page of a list (`pages`), what to read and in
//! which order (`fetch`), and saved runs (`data_dir`). What is read is typed in
//! [`crate::model`].

pub(crate) mod client;
pub mod data_dir;
pub(crate) mod error;
pub mod fetch;
pub(crate) mod pages;
pub(crate) mod source;

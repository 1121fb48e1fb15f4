//! Everything that comes from GitHub: the tolerant data model, the API client (one thin function
//! per endpoint), what to read and in which order (`fetch`), and saved runs.

pub mod client;
pub mod data_dir;
pub mod fetch;
pub mod lenient;
pub mod model;

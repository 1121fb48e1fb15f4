//! Everything that comes from GitHub: the tolerant data model, the API client, and saved runs.

pub mod client;
pub mod data_dir;
pub mod fetch;
pub mod lenient;
pub mod model;

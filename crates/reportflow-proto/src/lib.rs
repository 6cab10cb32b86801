//! Protobuf messages of reportflow (`proto/reportflow/v1`) and conversions from core types.
//!
//! The Rust types are generated at build time from the `.proto` files by `prost` (binary
//! encoding) and `pbjson` (serde impls following the protobuf JSON mapping: camelCase field
//! names, enum values by name, absent optional fields omitted). They live in [`v1`].
//!
//! [`convert`] turns the plain data of `reportflow-core` into these messages. Every
//! conversion is a pure function of its input, so the same document always encodes to the
//! same bytes.
#![warn(missing_docs, missing_debug_implementations)]

pub mod convert;
pub mod names;
pub mod topics;

#[allow(warnings, clippy::all, clippy::pedantic, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/reportflow.v1.rs"));
    include!(concat!(env!("OUT_DIR"), "/reportflow.v1.serde.rs"));
}

/// Version 1 of the reportflow messages (protobuf package `reportflow.v1`).
pub mod v1 {
    pub use crate::generated::*;
}

/// The encoded `FileDescriptorSet` of `proto/reportflow/v1` (with imports and comments), for
/// reflection, schema registries or `grpcurl`-style tools.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/reportflow_descriptor.bin"));

pub use prost::Message;

//! Protobuf messages of reportflow and conversions from core types.

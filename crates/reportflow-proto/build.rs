//! Generates the Rust types of `proto/reportflow/v1` without a system `protoc`: `protox` (a
//! pure-Rust protobuf compiler) parses the schema into a `FileDescriptorSet`, `prost-build`
//! turns it into message types and `pbjson-build` into serde impls that follow the protobuf
//! JSON mapping (camelCase names, enum names, 64-bit integers as strings, ...).

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest_dir.join("../../proto");
    let proto_dir = proto_root.join("reportflow/v1");
    println!("cargo:rerun-if-changed={}", proto_dir.display());

    let mut files: Vec<PathBuf> = std::fs::read_dir(&proto_dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|ext| ext == "proto"));
    files.sort();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }

    let mut compiler = protox::Compiler::new([&proto_root])?;
    compiler.include_imports(true).include_source_info(true);
    for file in &files {
        compiler.open_file(file)?;
    }
    let fds = compiler.file_descriptor_set();

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_bytes = fds.encode_to_vec();
    std::fs::write(out_dir.join("reportflow_descriptor.bin"), &descriptor_bytes)?;

    prost_build::Config::new()
        .out_dir(&out_dir)
        .compile_fds(fds)?;

    pbjson_build::Builder::new()
        .out_dir(&out_dir)
        .register_descriptors(&descriptor_bytes)?
        .build(&[".reportflow.v1"])?;
    Ok(())
}

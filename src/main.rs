fn main() -> std::process::ExitCode {
    hundred::cli::main()
}

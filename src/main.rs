//! The `callqa` command line: a thin layer over the library. It resolves inputs, runs the
//! engine over them in parallel, and writes reports (stdout) and errors (stderr).

mod cli;

fn main() {
    std::process::exit(cli::run());
}

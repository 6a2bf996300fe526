//! What a database holds, tree by tree: sled keys, and the bytes of their
//! keys and values as stored (buckets compressed or compact as they are).
//! The numbers behind docs/PERFORMANCE.md's account of the disk used; run
//! it on a database no process has open.
//!
//! cargo run --release --example tree_sizes -- DB_DIR

fn main() {
    let dir = std::env::args().nth(1).expect("DB_DIR");
    let db = branchlink::store::sled_config(std::path::Path::new(&dir))
        .open()
        .expect("database opens");
    println!("| tree | sled keys | key bytes | value bytes | bytes per key |");
    println!("|---|---:|---:|---:|---:|");
    let (mut keys, mut key_bytes, mut value_bytes) = (0usize, 0usize, 0usize);
    for name in db.tree_names() {
        let tree = db.open_tree(&name).expect("tree opens");
        let (mut n, mut k, mut v) = (0usize, 0usize, 0usize);
        for item in tree.iter() {
            let (key, value) = item.expect("tree reads");
            n += 1;
            k += key.len();
            v += value.len();
        }
        if n == 0 {
            continue;
        }
        let per_key = (k + v) as f64 / n as f64;
        println!(
            "| {} | {n} | {k} | {v} | {per_key:.1} |",
            String::from_utf8_lossy(&name)
        );
        (keys, key_bytes, value_bytes) = (keys + n, key_bytes + k, value_bytes + v);
    }
    println!("| all | {keys} | {key_bytes} | {value_bytes} | |");
}

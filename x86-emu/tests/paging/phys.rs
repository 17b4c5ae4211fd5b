//! Physical-memory access from outside the CPU (`phys_u32`, `zero_phys`) and page tables
//! outside RAM.

use super::*;

/// A machine whose `len` bytes at physical 0x3000 hold 0x5a, and the end of its RAM.
fn patterned(len: usize) -> (Machine, u32) {
    let (mut m, _) = setup(&[0x90]);
    let end = m.ram().len();
    m.write_phys(PhysAddr(0x3000), &vec![0x5a; len]).unwrap();
    (m, end)
}

#[test]
fn phys_u32_reads_and_writes_four_little_endian_bytes_and_nothing_outside_ram() {
    let (mut m, end) = patterned(8);
    m.write_phys_u32(PhysAddr(0x3002), 0x0403_0201).unwrap();
    let mut bytes = [0u8; 8];
    m.read_phys(PhysAddr(0x3000), &mut bytes).unwrap();
    assert_eq!(bytes, [0x5a, 0x5a, 1, 2, 3, 4, 0x5a, 0x5a]);
    assert_eq!(m.read_phys_u32(PhysAddr(0x3002)), Ok(0x0403_0201));
    m.write_phys_u32(PhysAddr(end - 4), 7).unwrap();
    assert_eq!(m.read_phys_u32(PhysAddr(end - 4)), Ok(7));
    assert!(m.write_phys_u32(PhysAddr(end - 3), 9).is_err());
    assert!(m.read_phys_u32(PhysAddr(end - 3)).is_err());
    assert!(m.read_phys_u32(PhysAddr(u32::MAX - 1)).is_err());
    assert_eq!(
        m.read_phys_u32(PhysAddr(end - 4)),
        Ok(7),
        "a write past the end of RAM writes nothing"
    );
}

#[test]
fn zero_phys_zeroes_exactly_its_range_and_nothing_outside_ram() {
    let (mut m, end) = patterned(4096);
    m.zero_phys(PhysAddr(0x3001), 4094).unwrap();
    let mut page = [0u8; 4096];
    m.read_phys(PhysAddr(0x3000), &mut page).unwrap();
    assert_eq!((page[0], page[4095]), (0x5a, 0x5a));
    assert!(page[1..4095].iter().all(|&b| b == 0));
    m.write_phys(PhysAddr(end - 4), &[7; 4]).unwrap();
    assert!(m.zero_phys(PhysAddr(end - 4), 5).is_err());
    let mut tail = [0u8; 4];
    m.read_phys(PhysAddr(end - 4), &mut tail).unwrap();
    assert_eq!(tail, [7; 4], "a zeroing past the end of RAM writes nothing");
}

#[test]
fn page_tables_outside_ram_stop_with_machine_check() {
    let (mut m, _) = setup(&[0x90]);
    m.set_cr3(PhysAddr(0x0100_0000));
    let r = m.run(1);
    match r.stop {
        Stop::Exception(e) => assert_eq!(e.vector, Vector::MachineCheck),
        other => panic!("{other:?}"),
    }
}

//! Browser tests of the panes added to the playground: the editor's error marker, the
//! reference-string widget, the statistics pane and the eviction order of a task.

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::*;

#[wasm_bindgen_test]
async fn an_assembler_error_shows_line_column_and_message_and_the_page_recovers() {
    let root = mount().await;
    let area: HtmlTextAreaElement = find(&root, "#editor textarea")
        .dyn_into()
        .expect("textarea");
    let good = area.value();
    area.set_value(&good.replacen("mov eax, [buffer]", "mvo eax, [buffer]", 1));
    input(&area).await;
    click(&root, "#btn-apply").await;

    let err = text(&root, "#asm-error");
    assert!(err.contains("line 8, column 5"), "position: {err}");
    assert!(err.contains("mvo"), "message: {err}");
    assert_eq!(
        text(&root, "#asm-error-mark"),
        "m",
        "the marker is at the column"
    );
    assert!(
        text(&root, "#editor .highlight").contains("◀"),
        "the message sits next to the line"
    );
    assert!(find(&root, "#btn-step").has_attribute("disabled"));

    // Still usable: fix the line, load, step to the fault.
    let area: HtmlTextAreaElement = find(&root, "#editor textarea")
        .dyn_into()
        .expect("textarea");
    area.set_value(&good);
    input(&area).await;
    click(&root, "#btn-apply").await;
    assert!(root.query_selector("#asm-error").ok().flatten().is_none());
    click(&root, "#btn-fault").await;
    assert_eq!(text(&root, "#fault-count"), "1 faults");
    root.remove();
}

#[wasm_bindgen_test]
async fn the_reference_string_widget_shows_the_textbook_misses() {
    let root = mount().await;
    let misses = |p: &str| text(&root, &format!("#refs-{p} .misses"));
    assert_eq!(
        find(&root, "#refs-input")
            .dyn_into::<HtmlInputElement>()
            .expect("input")
            .value(),
        "7,0,1,2,0,3,0,4,2,3,0,3,2,1,2,0,1,7,0,1"
    );
    assert_eq!(misses("fifo"), "15");
    assert_eq!(misses("lru"), "12");
    assert_eq!(misses("opt"), "9");

    // Nonsense is a message, not a panic.
    let frames: HtmlInputElement = find(&root, "#refs-frames").dyn_into().expect("input");
    frames.set_value("0");
    input(&frames).await;
    assert!(text(&root, "#refs-error").contains("frames must be"));
    frames.set_value("4");
    input(&frames).await;
    assert_eq!(misses("fifo"), "10");
    root.remove();
}

#[wasm_bindgen_test]
async fn the_statistics_pane_counts_the_faults_of_a_run() {
    let root = mount().await;
    assert!(root
        .query_selector("#stats canvas")
        .ok()
        .flatten()
        .is_some());
    click(&root, "#btn-run").await;
    for _ in 0..200 {
        if text(&root, "#status").contains("all tasks finished") {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(text(&root, "#status").contains("all tasks finished"));
    assert_eq!(
        text(&root, "#stats-faults-1"),
        text(&root, "#task-1 .faults")
    );
    assert_eq!(text(&root, "#stats-faults-1"), "1");
    root.remove();
}

/// One FIFO task that writes three pages in descending address order, then reads a fourth.
const FIFO_TOUCHES: &str = r#"{"name": "fifo order", "ram_frames": 64, "seed": 1, "max_steps": 100000,
  "task": [{"name": "toucher", "guaranteed": 8, "extra": 0, "policy": "fifo",
    "source": "section .text\n_start:\n    mov dword [buf+8192], 1\n    mov dword [buf+4096], 1\n    mov dword [buf], 1\n    mov eax, [buf+12288]\n    jmp _start\nsection .bss\nbuf: resb 16384\n"}]}"#;

#[wasm_bindgen_test]
async fn the_eviction_order_under_fifo_puts_the_first_faulted_page_first() {
    let hash = format!(
        "#scenario={}",
        String::from(js_sys::encode_uri_component(FIFO_TOUCHES))
    );
    let root = mount_at(&hash).await;
    // Three faults served; the fourth (the read) is raised but not yet served.
    for _ in 0..4 {
        click(&root, "#btn-fault").await;
    }
    assert_eq!(text(&root, "#fault-count"), "4 faults");
    let queue = find(&root, "#queue-1");
    assert!(
        text(&root, "#queue-1 h3").contains("FIFO"),
        "{}",
        text(&root, "#queue-1 h3")
    );
    let pages = queue.query_selector_all(".qpage").expect("rows");
    let rows: Vec<(String, String)> = (0..pages.length())
        .filter_map(|i| pages.get(i)?.dyn_into::<Element>().ok())
        .map(|li| {
            let addr = li.get_attribute("data-vaddr").unwrap_or_default();
            let region = text(&li, ".qregion");
            (addr, region)
        })
        .collect();
    let data: Vec<&str> = rows
        .iter()
        .filter(|(_, region)| region != "text")
        .map(|(addr, _)| addr.as_str())
        .collect();
    let buf = 0x0040_1000_u32;
    let hex = |a: u32| format!("0x{a:08x}");
    assert_eq!(
        data,
        [hex(buf + 8192), hex(buf + 4096), hex(buf)],
        "written first, evicted first: {rows:?}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_flag_row_marks_the_flags_an_instruction_leaves_undefined() {
    let root = mount().await;
    let area: HtmlTextAreaElement = find(&root, "#editor textarea")
        .dyn_into()
        .expect("textarea");
    area.set_value("mov eax, 0xc0000000\nshl eax, 1\nxor edx, edx\nmov ecx, 7\ndiv ecx\nadd eax, 1\nmov eax, 8\nint 0x30\n");
    input(&area).await;
    click(&root, "#btn-apply").await;
    let undefined = |root: &Element| -> Vec<String> {
        let list = root
            .query_selector_all("#cpu .flag.undefined")
            .expect("selector");
        (0..list.length())
            .filter_map(|i| list.item(i)?.text_content())
            .collect()
    };
    click(&root, "#btn-step").await;
    click(&root, "#btn-step").await;
    assert_eq!(undefined(&root), ["AF?"], "after shl by 1 only AF");
    let title = find(&root, "#flag-af")
        .get_attribute("title")
        .unwrap_or_default();
    assert!(title.contains("SHL"), "which instruction: {title}");
    assert!(
        title.contains("non-zero count"),
        "the manual's reason: {title}"
    );
    assert!(
        find(&root, "#flag-cf")
            .class_name()
            .split(' ')
            .any(|c| c == "on"),
        "CF is defined and set"
    );
    for _ in 0..3 {
        click(&root, "#btn-step").await;
    }
    assert_eq!(
        undefined(&root),
        ["CF?", "PF?", "AF?", "ZF?", "SF?", "OF?"],
        "after div"
    );
    click(&root, "#btn-step").await;
    assert!(undefined(&root).is_empty(), "add defines all six again");
    click(&root, "#btn-back").await;
    assert_eq!(undefined(&root).len(), 6, "stepping back brings them back");
    root.remove();
}

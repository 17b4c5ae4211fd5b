#include <selfpage.h>
typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_HALT } op;
typedef struct { op code; int arg; } insn;
int run(const insn *prog) {
    int acc = 0;
    for (;; prog++) {
        switch (prog->code) {
        case OP_ADD: acc += prog->arg; break;
        case OP_SUB: acc -= prog->arg; break;
        case OP_MUL: acc *= prog->arg; break;
        case OP_HALT: return acc;
        }
    }
}
int main(void) {
    insn prog[] = {{OP_ADD, 5}, {OP_MUL, 7}, {OP_SUB, 3}, {OP_MUL, -2}, {OP_HALT, 0}};
    int r = run(prog);
    printf("%d\n", r);
    return -r;
}

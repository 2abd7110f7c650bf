# Writes the assembly file that puts the guest init's bytes into bale: bale_vm_init_start and
# bale_vm_init_end (src/vm/initramfs.cc). Rewritten whenever the init is rebuilt, so the
# object is reassembled with the new bytes.
file(WRITE ${OUT} "  .section .rodata.bale_vm_init,\"a\"\n  .balign 16\n  .global bale_vm_init_start\nbale_vm_init_start:\n  .incbin \"${INIT}\"\n  .global bale_vm_init_end\nbale_vm_init_end:\n  .section .note.GNU-stack,\"\",@progbits\n")

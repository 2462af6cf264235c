module spear/fleet

go 1.19

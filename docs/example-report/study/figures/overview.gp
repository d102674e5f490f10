# overview: speed of every platform relative to the baseline, per benchmark
# Written by virtbench 0.1.0; data in overview.dat.
# Re-render from this directory with: gnuplot overview.gp
reset session
set encoding utf8
do for [fmt in 'png svg'] {
if (fmt eq 'png') {
  set terminal pngcairo size 960,540 font 'Sans,12' noenhanced background '#ffffff'
} else {
  set terminal svg size 960,540 font 'Sans,12' noenhanced background '#ffffff'
}
set output 'overview.'.fmt
set border 3 lw 1.2
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set title "Speed relative to native, every benchmark (95% CI)" font 'Sans,14'
set ylabel "× native (log scale; >1 = faster)"
set xtics ("diskRandWrite" 0, "diskSeqWrite" 1) scale 0 font 'Sans,12'
set xrange [-0.6:1.6]
set logscale y
set yrange [0.137834:15.0223]
set ytics ('0.2' 0.2, '0.5' 0.5, '1' 1, '2' 2, '5' 5, '10' 10)
set key outside right top vertical font 'Sans,12'
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#555555'
set label "native = 1" at graph 0.005, first 1 offset 0,0.6 left textcolor rgb '#555555' font 'Sans,10'
set arrow from 0.5, graph 0 to 0.5, graph 1 nohead lc rgb '#eeeeee'
plot 'overview.dat' index 0 using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.3 lc rgb '#E69F00' title "docker-overlay", \
     'overview.dat' index 1 using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.3 lc rgb '#CC79A7' title "docker-volume", \
     'overview.dat' index 2 using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.3 lc rgb '#56B4E9' title "qemu-none", \
     'overview.dat' index 3 using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.3 lc rgb '#882255' title "qemu-wb"
unset output
}

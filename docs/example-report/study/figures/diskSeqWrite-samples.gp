# every sample per platform: box plot and jittered strip
# Written by virtbench 0.1.0; data in diskSeqWrite-samples.dat.
# Re-render from this directory with: gnuplot diskSeqWrite-samples.gp
reset session
set encoding utf8
do for [fmt in 'png svg'] {
if (fmt eq 'png') {
  set terminal pngcairo size 960,540 font 'Sans,12' noenhanced background '#ffffff'
} else {
  set terminal svg size 960,540 font 'Sans,12' noenhanced background '#ffffff'
}
set output 'diskSeqWrite-samples.'.fmt
set border 3 lw 1.2
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set multiplot layout 2,3 title "diskSeqWrite, MiB/s: every sample (box: quartiles, whiskers: 1.5 IQR, ○: outlier)" font 'Sans,14'
set tics font 'Sans,10'
set key off
unset xtics
set xrange [-0.5:0.5]
set boxwidth 0.5
set style fill empty
set format y '%.5g'
set offsets 0, 0, graph 0.05, graph 0.05
set title "native (n=2)" textcolor rgb '#555555' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 50
plot 'diskSeqWrite-samples.dat' index 1 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 1 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 0 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#60555555', \
     '' index 0 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#555555'
set title "docker-volume (n=2)" textcolor rgb '#CC79A7' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 100
plot 'diskSeqWrite-samples.dat' index 3 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 3 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 2 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#60CC79A7', \
     '' index 2 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#CC79A7'
set title "docker-overlay (n=2)" textcolor rgb '#E69F00' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 200
plot 'diskSeqWrite-samples.dat' index 5 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 5 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 4 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#60E69F00', \
     '' index 4 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#E69F00'
set title "qemu-wb (n=2)" textcolor rgb '#882255' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 20
plot 'diskSeqWrite-samples.dat' index 7 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 7 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 6 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#60882255', \
     '' index 6 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#882255'
set title "qemu-none (n=2)" textcolor rgb '#56B4E9' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 20
plot 'diskSeqWrite-samples.dat' index 9 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 9 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 8 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#6056B4E9', \
     '' index 8 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#56B4E9'
unset multiplot
unset output
}

"""Independent reference for dev.descent.data.EpochOrder, written from its javadoc (SplitMix64 + Fisher-Yates).

Prints the orders pinned in EpochOrderTest:  python3 epoch_order_reference.py
"""
M=(1<<64)-1
G=0x9E3779B97F4A7C15
def mix(z):
    z&=M
    z=((z^(z>>30))*0xBF58476D1CE4E5B9)&M
    z=((z^(z>>27))*0x94D049BB133111EB)&M
    return z^(z>>31)
def perm(seed,epoch,n):
    s=mix((mix(seed&M)+epoch*G)&M)
    o=list(range(n))
    for i in range(n-1,0,-1):
        s=(s+G)&M
        r=mix(s)
        j=((r>>32)*(i+1))>>32
        o[i],o[j]=o[j],o[i]
    return o
for seed,epoch,n in [(0,1,10),(42,1,20),(42,2,20),(-7,3,13),(123456789,1000,25)]:
    print(seed,epoch,n,perm(seed,epoch,n))
